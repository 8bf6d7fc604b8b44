import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TocsinCore

/// The pages' routes on the intake's Hummingbird router (issue 13, items 1, 2 and 4):
///
/// - `GET /login/{token}`: shows a "Sign in as IDENTITY" button (a form, no JavaScript) and uses
///   nothing up: link previews (chat clients and bots that unfurl URLs, proxies) fetch the link
///   before the person clicks it;
/// - `POST /login`: the button; the form body carries the token (never the URL, never a log), so no
///   extra CSRF cookie is needed; refused when the `Origin` header names another origin (RFC 6454
///   §7; `null` included) or `Sec-Fetch-Site` says another site. Uses the link, opens a session
///   (cookie), redirects (303) to `/incidents` or a `next` that is one of the pages — never
///   another site;
/// - `POST /logout`: ends the session;
/// - `GET /incidents`: open and recent incidents, filters `status`, `service`, `team`, `page`;
/// - `GET /incidents/{N}`: one incident with its merged timeline;
/// - `GET /incidents/{N}/postmortem.md`: the postmortem in Markdown.
///
/// Every page needs a session and shows only incidents its identity may see; an incident it may
/// not see answers exactly like one that does not exist. Responses are never cached, send no
/// referrer, and may not be framed or run scripts.
struct IncidentPageRoutes: Sendable {
    let pages: IncidentPages

    func add(to router: Hummingbird.Router<BasicRequestContext>) {
        router.get("/login/:token") { request, context in
            await confirmSignIn(token: context.parameters.get("token") ?? "", next: request.uri.queryParameters["next"].map(String.init))
        }
        router.post("/login") { request, _ in await login(request) }
        router.post("/logout") { request, _ in await logout(request) }
        router.get("/incidents") { request, _ in await list(request) }
        router.get("/incidents/:number") { request, context in
            await incident(request, number: context.parameters.get("number"), markdown: false)
        }
        router.get("/incidents/:number/postmortem.md") { request, context in
            await incident(request, number: context.parameters.get("number"), markdown: true)
        }
    }

    // MARK: Sign-in

    /// `GET /login/{token}`: the button, or the same refusal for every unusable link. Uses nothing.
    func confirmSignIn(token: String, next: String?) async -> Response {
        do {
            guard let identity = try await pages.linkPreview.identity(of: token) else { return linkRefused() }
            var response = html(.ok, pages.renderer.signIn(identity: identity.description, token: token, next: Self.safeNext(next)))
            // Not `no-referrer` here: under it a browser sends `Origin: null` with the button's POST
            // (Fetch §3.1, "serializing a request origin"), which the origin check must refuse.
            // `strict-origin` sends our origin, and a Referer of the origin alone — never this
            // page's path, which holds the token.
            response.headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin"
            return response
        } catch {
            return failure(error)
        }
    }

    /// The fields of the button's form (`application/x-www-form-urlencoded`).
    struct SignInForm: Decodable {
        var token: String?
        var next: String?
    }

    /// `POST /login`: the only request that uses a link up.
    func login(_ request: Request) async -> Response {
        guard Self.isSameOrigin(request.headers, as: pages.settings.publicURL) else {
            pages.logger.notice("sign-in refused: the form was posted from another site",
                                metadata: ["origin": "\((request.headers[.origin] ?? "-").prefix(100))"])
            return html(.forbidden, pages.renderer.message(
                identity: nil, heading: "This sign-in came from another site",
                text: "Open the sign-in link from chat yourself and press its button. Type \(pages.prefix)web to the bot for a new one if it no longer works."))
        }
        var request = request
        guard let body = try? await request.collectBody(upTo: Self.maxFormBytes),
              let form = try? URLEncodedFormDecoder().decode(SignInForm.self, from: String(buffer: body)),
              let token = form.token else { return linkRefused() }
        return await redeem(token: token, next: form.next)
    }

    /// The form holds a 97-character token and a page path; anything much larger is not it.
    static let maxFormBytes = 4096

    func linkRefused() -> Response {
        pages.logger.notice("sign-in link refused (unknown, used or expired)")
        return html(.forbidden, pages.renderer.message(
            identity: nil, heading: "This sign-in link does not work",
            text: "It was already used, has expired, or was never valid. Type \(pages.prefix)web to the bot in chat for a new one."))
    }

    func redeem(token: String, next: String?) async -> Response {
        do {
            guard let (identity, cookie) = try await pages.signIn.redeem(token) else { return linkRefused() }
            pages.logger.info("signed in to the incident pages", metadata: ["identity": "\(identity)"])
            var headers = Self.securityHeaders
            headers[.location] = Self.safeNext(next)
            headers[.setCookie] = pages.signIn.sessionCookie(cookie)
            return Response(status: .seeOther, headers: headers)
        } catch {
            return failure(error)
        }
    }

    func logout(_ request: Request) async -> Response {
        do {
            try await pages.signIn.signOut(session: request.cookies[SignInLinks.cookieName]?.value)
        } catch {
            return failure(error)
        }
        var headers = Self.securityHeaders
        headers[.setCookie] = pages.signIn.clearedCookie()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: pages.renderer.message(
            identity: nil, heading: "Signed out", text: "Type \(pages.prefix)web to the bot in chat to sign in again."))))
    }

    /// Whether a state-changing request comes from the pages' own origin. Browsers send `Origin`
    /// with every POST (RFC 6454 §7, Fetch §3.1): it must then name `public_url`'s origin — a
    /// foreign site, or `null` (sandboxed frames, local files), is refused. `Sec-Fetch-Site`, when
    /// sent, must be `same-origin` (or `none`, a request the person made themselves). A request
    /// with neither header is not from a browser that another site could steer, and the token in
    /// its body is the credential.
    static func isSameOrigin(_ headers: HTTPFields, as publicURL: String) -> Bool {
        if let site = headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site != "same-origin", site != "none" {
            return false
        }
        guard let origin = headers[.origin] else { return true }
        guard let own = Self.origin(of: publicURL), let theirs = Self.origin(of: origin.trimmingCharacters(in: .whitespaces)) else {
            return false
        }
        return own == theirs
    }

    /// `scheme://host[:port]` lowercased, the default port left out; nil for `null` or junk.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }

    /// Only the pages themselves: `/incidents`, `/incidents/N`, `/incidents/N/postmortem.md`.
    /// Anything else — another host, `//evil`, `/\evil`, encoded tricks — goes to `/incidents`.
    static func safeNext(_ next: String?) -> String {
        guard let next else { return "/incidents" }
        let parts = next.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 4, parts[0].isEmpty, parts[1] == "incidents" else { return "/incidents" }
        if parts.count >= 3 {
            guard let number = Int(parts[2]), number > 0, parts[2].count <= 9, parts[2].allSatisfy(\.isASCII) else { return "/incidents" }
            if parts.count == 4 { return parts[3] == "postmortem.md" ? "/incidents/\(number)/postmortem.md" : "/incidents" }
            return "/incidents/\(number)"
        }
        return "/incidents"
    }

    // MARK: Pages

    func list(_ request: Request) async -> Response {
        do {
            guard let identity = try await signedIn(request) else { return signInRequired() }
            let query = request.uri.queryParameters
            let status = query["status"].map(String.init) ?? "open"
            let service = query["service"].map { String($0.prefix(100)) } ?? ""
            let team = query["team"].map { String($0.prefix(100)) } ?? ""
            let page = query["page"].flatMap { Int($0) }.map { min(max($0, 1), 1000) } ?? 1
            let statuses: Set<IncidentStatus>? = switch status {
            case "all": nil
            case "triggered": [.triggered]
            case "acknowledged": [.acknowledged]
            case "resolved": [.resolved]
            default: [.triggered, .acknowledged]
            }
            let shownStatus = PageRenderer.statusChoices.contains { $0.0 == status } ? status : "open"
            let size = pages.settings.pageSize
            let candidates = try await pages.catalog.incidents(
                matching: IncidentQuery(statuses: statuses, service: service.isEmpty ? nil : service, team: team.isEmpty ? nil : team),
                limit: IncidentPages.listScanLimit)
            var visible: [Incident] = []
            for incident in candidates where try await pages.canSee(incident, as: identity) {
                visible.append(incident)
                if visible.count > page * size { break }
            }
            let shown = Array(visible.dropFirst((page - 1) * size).prefix(size))
            func link(_ page: Int) -> String {
                var items = [URLQueryItem(name: "status", value: shownStatus)]
                if !service.isEmpty { items.append(URLQueryItem(name: "service", value: service)) }
                if !team.isEmpty { items.append(URLQueryItem(name: "team", value: team)) }
                if page > 1 { items.append(URLQueryItem(name: "page", value: "\(page)")) }
                var components = URLComponents()
                components.path = "/incidents"
                components.queryItems = items
                return components.string ?? "/incidents"
            }
            return html(.ok, pages.renderer.list(
                identity: identity.description, incidents: shown, status: shownStatus, service: service, team: team,
                previous: page > 1 ? link(page - 1) : nil, next: visible.count > page * size ? link(page + 1) : nil))
        } catch {
            return failure(error)
        }
    }

    func incident(_ request: Request, number text: String?, markdown: Bool) async -> Response {
        do {
            guard let identity = try await signedIn(request) else { return signInRequired() }
            guard let text, text.count <= 9, let number = Int(text), number > 0,
                  let summary = try await pages.summary(of: number, as: identity) else {
                return html(.notFound, pages.renderer.message(identity: identity.description, heading: "No such incident",
                                                              text: "There is no incident #\(text ?? "") that you may see."))
            }
            if markdown {
                var headers = Self.securityHeaders
                headers[.contentType] = "text/markdown; charset=utf-8"
                headers[.contentDisposition] = "inline; filename=\"incident-\(number)-postmortem.md\""
                let body = PostmortemWriter.markdown(summary, pageURL: "\(pages.settings.publicURL)/incidents/\(number)")
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            let external = pages.catalog.linksToPlatform ? summary.incident.url : nil
            return html(.ok, pages.renderer.incident(identity: identity.description, summary: summary, externalURL: external))
        } catch {
            return failure(error)
        }
    }

    // MARK: Helpers

    func signedIn(_ request: Request) async throws -> ChatIdentity? {
        try await pages.signIn.identity(forSession: request.cookies[SignInLinks.cookieName]?.value)
    }

    func signInRequired() -> Response {
        html(.unauthorized, pages.renderer.message(
            identity: nil, heading: "Sign in with chat",
            text: "These pages need you to sign in. Type \(pages.prefix)web to the bot in a room or a direct message: it answers privately with a link that signs you in as your verified chat identity."))
    }

    func failure(_ error: any Error) -> Response {
        pages.logger.error("incident page failed", metadata: ["error": "\(error)"])
        return html(.internalServerError, pages.renderer.message(identity: nil, heading: "Something went wrong",
                                                                 text: "The page could not be built; see Tocsin's log."))
    }

    func html(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// No scripts, no framing, no caching (pages show who said what), no referrer (a sign-in link
    /// in the address bar never leaks to a linked site).
    static var securityHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return headers
    }
}

/// The addresses a sign-in may lead to, for tools that build links (`tocsin login-link --next`).
public enum IncidentPageRoutesPaths {
    /// Whether `path` is one of the pages (`/incidents`, `/incidents/N`, `/incidents/N/postmortem.md`).
    public static func isPage(_ path: String) -> Bool {
        IncidentPageRoutes.safeNext(path) == path
    }
}
