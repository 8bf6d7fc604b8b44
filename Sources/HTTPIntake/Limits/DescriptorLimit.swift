#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's soft limit on open file descriptors (`getrlimit(RLIMIT_NOFILE)`, POSIX.1-2017), which
/// every accepted connection counts against; nil when it cannot be read or is unlimited.
func openDescriptorLimit() -> Int? {
    var limit = rlimit()
    #if canImport(Glibc)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    // RLIM_INFINITY is all ones, beyond any Int: treated as no limit.
    guard getrlimit(resource, &limit) == 0, limit.rlim_cur < rlim_t(Int.max) else { return nil }
    return Int(limit.rlim_cur)
}
