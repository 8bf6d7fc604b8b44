/// A dictionary that remembers at most `capacity` keys, forgetting the oldest inserted first.
///
/// Used for webhook event ids (PagerDuty delivers at least once and retries for about 20 minutes, so a
/// few thousand recent ids catch redeliveries) and for the last snapshot of each incident.
struct BoundedMemory<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private var values: [Key: Value] = [:]
    /// Keys in insertion order, as a ring: `order[start]` is the oldest.
    private var order: [Key] = []
    private var start = 0

    init(capacity: Int) {
        precondition(capacity > 0, "BoundedMemory needs room for at least one key")
        self.capacity = capacity
        order.reserveCapacity(min(capacity, 1024))
    }

    var count: Int { values.count }

    subscript(key: Key) -> Value? { values[key] }

    /// Stores `value` under `key`; a new key may push the oldest one out.
    mutating func remember(_ key: Key, _ value: Value) {
        guard values.updateValue(value, forKey: key) == nil else { return }
        if order.count < capacity {
            order.append(key)
        } else {
            values[order[start]] = nil
            order[start] = key
            start = (start + 1) % capacity
        }
    }
}
