import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A few-line HTTP/1.1 server on 127.0.0.1 for testing the AsyncHTTPClient transport over a real
/// socket without extra packages: it answers each accepted connection with the next scripted
/// response (or holds it silent), closes it, and records the raw requests.
final class ScriptedHTTPServer: Sendable {
    enum Reply: Sendable {
        case respond(String)
        /// Read the request, then answer nothing for this long before closing.
        case silence(seconds: Double)
    }

    let port: UInt16
    private let listener: Int32
    private let received = Mutex<[String]>([])

    init(_ replies: [Reply]) throws {
        let (fd, port) = try Self.bound()
        guard listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.port = port
        listener = fd
        let thread = Thread { [self] in self.serve(replies) }
        thread.start()
    }

    /// A socket bound to 127.0.0.1 on a free port, not yet listening.
    private static func bound() throws -> (Int32, UInt16) {
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port with nothing listening: connecting is refused.
    static func closedPort() throws -> UInt16 {
        let (fd, port) = try bound()
        close(fd)
        return port
    }

    var requests: [String] { received.withLock { $0 } }

    private func serve(_ replies: [Reply]) {
        for reply in replies {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let request = Self.readRequest(connection)
            received.withLock { $0.append(request) }
            switch reply {
            case .respond(let text):
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
            case .silence(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            }
            close(connection)
        }
        close(listener)
    }

    private static func readRequest(_ connection: Int32) -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data += chunk[0..<count]
            let text = String(decoding: data, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<end.lowerBound].lowercased()
            let declared = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if data.count - text[..<end.upperBound].utf8.count >= declared { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func response(_ status: Int, _ reason: String, body: String, headers: [String] = []) -> String {
        (["HTTP/1.1 \(status) \(reason)", "Content-Type: application/json", "Content-Length: \(body.utf8.count)",
          "Connection: close"] + headers).joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}
