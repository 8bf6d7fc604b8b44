/// The pages' Mustache templates (swift-mustache). Every value goes through `{{name}}`, which
/// HTML-escapes `< > & " '`; triple braces (unescaped output) are never used — a test renders
/// every template and fails on any `{{{` or `{{&`. No JavaScript: the pages work with scripts off,
/// and the Content-Security-Policy forbids them anyway.
enum PageTemplates {
    static let header = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · Tocsin</title>
    <style>
    body{font:16px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
    header{background:#1d2330;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.5em;align-items:center;justify-content:space-between}
    header a{color:#fff;text-decoration:none;font-weight:600}
    header form{margin:0}
    header button{background:none;border:1px solid #8a93a6;color:#fff;border-radius:4px;padding:.15em .6em;font:inherit;font-size:.85em}
    main{max-width:60em;margin:0 auto;padding:1em}
    h1{font-size:1.4em;margin:.2em 0 .6em}
    h2{font-size:1.1em;margin:1.4em 0 .5em}
    .status{display:inline-block;padding:.05em .55em;border-radius:1em;font-size:.85em;font-weight:600;color:#fff}
    .status-triggered{background:#c62828}.status-acknowledged{background:#b26a00}.status-resolved{background:#2e7d32}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em;margin:0}
    dl.facts dt{color:#5b6475}dl.facts dd{margin:0}
    ul.incidents,ol.timeline{list-style:none;padding:0;margin:0}
    ul.incidents li{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6em .8em;margin:.4em 0}
    ul.incidents a{font-weight:600}
    .meta{color:#5b6475;font-size:.88em}
    ol.timeline li{border-left:3px solid #c5cbd6;padding:.3em .8em;margin:0 0 .2em .3em;background:#fff}
    ol.timeline li.event{border-left-color:#3f51b5}
    ol.timeline li.bot{border-left-color:#8a93a6;color:#3d4556}
    ol.timeline time{color:#5b6475;font-variant-numeric:tabular-nums;margin-right:.4em}
    .who{font-weight:600}.where{color:#5b6475;font-size:.88em}
    .text{white-space:pre-wrap;overflow-wrap:anywhere}
    form.filters{display:flex;flex-wrap:wrap;gap:.5em;align-items:end;margin-bottom:.8em}
    form.filters label{display:flex;flex-direction:column;font-size:.85em;color:#5b6475}
    form.filters select,form.filters input,form.filters button{font:inherit;padding:.2em .4em}
    nav.pages{display:flex;justify-content:space-between;margin-top:1em}
    .notice{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:1em}
    form.notice button{font:inherit;font-weight:600;padding:.5em 1.2em;border-radius:4px;border:0;background:#3f51b5;color:#fff}
    </style>
    </head>
    <body>
    <header><a href="/incidents">Tocsin incidents</a>{{#identity}}<span class="meta" style="color:#c5cbd6">signed in as {{identity}}</span><form method="post" action="/logout"><button type="submit">Sign out</button></form>{{/identity}}</header>
    <main>
    """

    static let footer = """
    </main>
    </body>
    </html>
    """

    static let list = """
    {{> header}}
    <h1>Incidents</h1>
    <form class="filters" method="get" action="/incidents">
    <label>Status<select name="status">{{#statusOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statusOptions}}</select></label>
    <label>Service<input name="service" value="{{service}}" size="12"></label>
    <label>Team<input name="team" value="{{team}}" size="12"></label>
    <button type="submit">Filter</button>
    </form>
    {{^incidents}}<p class="notice">No incidents match.</p>{{/incidents}}
    <ul class="incidents">
    {{#incidents}}<li id="incident-{{number}}"><a href="/incidents/{{number}}">#{{number}} {{title}}</a> <span class="status status-{{status}}">{{status}}</span><div class="meta">{{service}}{{#team}} · team {{team}}{{/team}} · {{urgency}}{{#severity}} · {{severity}}{{/severity}} · triggered {{created}}{{#assignee}} · {{assignee}}{{/assignee}}</div></li>
    {{/incidents}}
    </ul>
    <nav class="pages">{{#previous}}<a rel="prev" href="{{previous}}">← Newer</a>{{/previous}}<span></span>{{#next}}<a rel="next" href="{{next}}">Older →</a>{{/next}}</nav>
    {{> footer}}
    """

    static let incident = """
    {{> header}}
    <h1 id="title">#{{number}} {{heading}}</h1>
    <p><span class="status status-{{status}}" id="status">{{status}}</span></p>
    <dl class="facts">
    <dt>Service</dt><dd>{{service}}{{#team}} (team {{team}}){{/team}}</dd>
    <dt>Urgency</dt><dd>{{urgency}}{{#severity}} · severity {{severity}}{{/severity}}</dd>
    <dt>Assignee</dt><dd>{{#assignee}}{{assignee}}{{/assignee}}{{^assignee}}nobody{{/assignee}}</dd>
    <dt>Triggered</dt><dd>{{created}}</dd>
    <dt>Acknowledged</dt><dd>{{#acknowledged}}{{acknowledged}} (after {{timeToAcknowledge}}){{/acknowledged}}{{^acknowledged}}—{{/acknowledged}}</dd>
    <dt>Resolved</dt><dd>{{#resolved}}{{resolved}} (after {{timeToResolve}}){{/resolved}}{{^resolved}}—{{/resolved}}</dd>
    {{#rooms}}<dt>Announced in</dt><dd>{{rooms}}</dd>{{/rooms}}
    {{#externalURL}}<dt>Platform</dt><dd><a href="{{externalURL}}" rel="noreferrer noopener">open in PagerDuty</a></dd>{{/externalURL}}
    </dl>
    <h2>Notes</h2>
    {{^notes}}<p class="meta">No notes.</p>{{/notes}}
    <ul class="incidents">{{#notes}}<li><span class="who">{{author}}</span> <span class="meta">{{at}}</span><div class="text">{{content}}</div></li>{{/notes}}</ul>
    <h2>Timeline</h2>
    <ol class="timeline" id="timeline">
    {{#timeline}}<li class="{{kind}}"><time datetime="{{iso}}">{{time}}</time><span class="who">{{who}}</span> {{#where}}<span class="where">{{where}}</span> {{/where}}<div class="text">{{text}}</div></li>
    {{/timeline}}
    </ol>
    <p><a href="/incidents/{{number}}/postmortem.md">Postmortem (Markdown)</a></p>
    {{> footer}}
    """

    static let message = """
    {{> header}}
    <h1>{{heading}}</h1>
    <p class="notice" id="message">{{text}}</p>
    {{> footer}}
    """

    /// What `GET /login/{token}` shows: nothing is used up until the person presses the button,
    /// which POSTs the token in the form body. The title names no one (link previews show it).
    static let signIn = """
    {{> header}}
    <h1>Sign in to the incident pages</h1>
    <form class="notice" id="sign-in-form" method="post" action="/login">
    <input type="hidden" name="token" value="{{token}}">
    <input type="hidden" name="next" value="{{next}}">
    <p>This one-time link from chat signs this browser in. It works once and only for a few minutes.</p>
    <button type="submit" id="sign-in">Sign in as {{who}}</button>
    </form>
    {{> footer}}
    """

    static let all: [String: String] = ["header": header, "footer": footer, "list": list, "incident": incident, "message": message,
                                        "signin": signIn]
}
