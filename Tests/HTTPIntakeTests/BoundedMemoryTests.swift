@testable import HTTPIntake
import Testing

@Suite struct BoundedMemoryTests {
    @Test func forgetsTheOldestKeyBeyondCapacity() {
        var memory = BoundedMemory<String, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c", "d", "e"].enumerated() { memory.remember(key, index) }
        #expect(memory.count == 3)
        #expect(memory["a"] == nil && memory["b"] == nil)
        #expect(memory["c"] == 2 && memory["d"] == 3 && memory["e"] == 4)
    }

    @Test func updatingAKeyKeepsOneEntry() {
        var memory = BoundedMemory<String, Int>(capacity: 2)
        memory.remember("a", 1)
        memory.remember("a", 2)
        memory.remember("b", 3)
        #expect(memory.count == 2)
        #expect(memory["a"] == 2)
        memory.remember("c", 4)
        #expect(memory["a"] == nil && memory["b"] == 3 && memory["c"] == 4)
    }
}
