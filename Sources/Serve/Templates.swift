import Mustache

/// The pages' Mustache templates. Every `{{value}}` is HTML-escaped by swift-mustache (no
/// template uses the unescaped `{{{…}}}`), so catalog text such as a store name can never
/// become markup.
enum Templates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("head", head), ("foot", foot), ("search", search), ("call", call), ("stats", stats), ("login", login), ("error", error), ("bars", bars)] {
            // The templates are constants of this file: one that does not parse is a programming error.
            try! library.register(text, named: name)
        }
        return library
    }()

    static func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · callarchive</title>
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/app.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top"><a class="brand" href="/">callarchive</a>
        <nav aria-label="Main"><a href="/"{{#onSearch}} aria-current="page"{{/onSearch}}>Search</a> <a href="/stats"{{#onStats}} aria-current="page"{{/onStats}}>Stats</a></nav>
        </header>
        <main id="main">

        """

    static let foot = """
        </main>
        <footer><p>callarchive serve: a read-only view of the archive. Times are UTC.</p></footer>
        </body>
        </html>

        """

    static let search = """
        {{> head}}
        <h1>Search calls</h1>
        <form class="search" method="get" action="/" role="search">
        <label for="q">Query</label>
        <div class="row"><input id="q" name="q" type="search" value="{{q}}" placeholder="agent:marcus verdict:valid" autocomplete="off" aria-describedby="q-help"{{#error}} aria-invalid="true"{{/error}}>
        {{#sort}}<input type="hidden" name="sort" value="{{sort}}">{{/sort}}<button type="submit">Search</button></div>
        <p id="q-help" class="help">Words are ANDed: <code>agent:marcus</code> <code>store:MI-062</code> <code>verdict:valid</code> <code>duration:&gt;60</code> <code>date:2025-02</code> <code>-verdict:valid</code></p>
        </form>
        {{#error}}<p id="q-error" class="error" role="alert">{{error}}</p>{{/error}}
        {{^error}}
        <p class="actions"><a id="csv" href="{{csvLink}}">Download CSV</a> <span>{{summary}}</span></p>
        <div class="table-wrap">
        <table class="calls">
        <caption>Calls matching the query, {{sortText}}</caption>
        <thead><tr>{{#columns}}<th scope="col"{{#ariaSort}} aria-sort="{{ariaSort}}"{{/ariaSort}}><a href="{{link}}">{{label}}{{#arrow}} <span aria-hidden="true">{{arrow}}</span>{{/arrow}}</a></th>{{/columns}}</tr></thead>
        <tbody>
        {{#rows}}<tr><td><time datetime="{{time}}">{{timeText}}</time></td><td><a class="call" href="{{href}}">{{order}}{{#multi}} #{{index}}{{/multi}}</a></td><td>{{store}}</td><td>{{agent}}</td><td>{{status}}</td><td class="num">{{duration}}</td><td><span class="badge v-{{verdict}}">{{verdictText}}</span></td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="7">No calls match.</td></tr>{{/rows}}
        </tbody></table></div>
        {{#nextLink}}<nav class="pager" aria-label="Pages"><a id="next" rel="next" href="{{nextLink}}">Next page</a></nav>{{/nextLink}}
        {{/error}}
        {{> foot}}
        """

    static let call = """
        {{> head}}
        <p class="back"><a href="/">← Search</a></p>
        <h1>Order {{order}}{{#multi}}, call {{index}}{{/multi}}</h1>
        <p><span class="badge v-{{verdict}}">{{verdictText}}</span> {{detail}}</p>
        {{#playable}}
        <section aria-labelledby="listen"><h2 id="listen">Listen</h2>
        <audio id="player" controls preload="metadata" src="{{audio}}"></audio>
        <p class="player-actions"><button type="button" id="play" hidden>Play</button> <a href="{{audio}}" download>Download MP3</a></p>
        </section>
        {{/playable}}
        {{^playable}}<p class="note">No recording to play: {{verdictText}}.</p>{{/playable}}
        <section aria-labelledby="facts"><h2 id="facts">Call</h2>
        <dl class="facts">{{#call}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/call}}</dl></section>
        <section aria-labelledby="audio-facts"><h2 id="audio-facts">Audio</h2>
        <dl class="facts">{{#audioFacts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/audioFacts}}</dl></section>
        {{#hasExtra}}<section aria-labelledby="metrics"><h2 id="metrics">Metrics, tags and notes</h2>
        <dl class="facts">{{#extra}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/extra}}</dl></section>{{/hasExtra}}
        <section aria-labelledby="attempts"><h2 id="attempts">Attempts</h2>
        {{#hasAttempts}}<div class="table-wrap"><table><thead><tr><th scope="col">Started</th><th scope="col">Stage</th><th scope="col">HTTP</th><th scope="col" class="num">Bytes</th><th scope="col">Error</th></tr></thead><tbody>
        {{#attempts}}<tr><td>{{started}}</td><td>{{stage}}</td><td>{{status}}</td><td class="num">{{bytes}}</td><td>{{error}}</td></tr>
        {{/attempts}}</tbody></table></div>{{/hasAttempts}}
        {{^hasAttempts}}<p>No attempts recorded.</p>{{/hasAttempts}}
        </section>
        {{> foot}}
        """

    static let stats = """
        {{> head}}
        <h1>Stats</h1>
        <form class="search" method="get" action="/stats" role="search">
        <label for="q">Only calls matching</label>
        <div class="row"><input id="q" name="q" type="search" value="{{q}}" placeholder="store:MI-062" autocomplete="off"><button type="submit">Filter</button></div>
        </form>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{^error}}
        <p>{{summary}}</p>
        <figure id="chart-days"><figcaption>Calls per day, by verdict</figcaption>
        {{#daily}}{{#any}}<svg viewBox="0 0 {{width}} 230" role="img" aria-labelledby="days-title"><title id="days-title">Calls per day, stacked by verdict; the tallest day has {{max}} calls</title>
        {{#bars}}<rect class="v-{{verdict}}" x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}"><title>{{label}}</title></rect>{{/bars}}
        <line class="axis" x1="0" y1="{{height}}" x2="{{width}}" y2="{{height}}"/>
        <text class="tick" x="0" y="222">{{first}}</text><text class="tick end" x="{{width}}" y="222">{{last}}</text><text class="tick" x="4" y="12">{{max}} calls</text>
        </svg>{{/any}}{{^any}}<p>No calls.</p>{{/any}}{{/daily}}
        </figure>
        <ul class="legend">{{#legend}}<li><span class="swatch v-{{verdict}}"></span>{{label}}</li>{{/legend}}</ul>
        <figure id="chart-mix"><figcaption>Verdict mix</figcaption>
        {{#mix}}{{#any}}<svg viewBox="0 0 {{width}} 28" role="img" aria-labelledby="mix-title"><title id="mix-title">Share of calls by verdict</title>
        {{#parts}}<rect class="v-{{verdict}}" x="{{x}}" y="0" width="{{w}}" height="28"><title>{{label}}: {{count}} ({{share}})</title></rect>{{/parts}}
        </svg>
        <ul class="legend">{{#parts}}<li><span class="swatch v-{{verdict}}"></span>{{label}}: {{count}} ({{share}})</li>{{/parts}}</ul>{{/any}}{{/mix}}
        </figure>
        <figure id="chart-stores"><figcaption>Audio minutes by store</figcaption>{{#stores}}{{> bars}}{{/stores}}</figure>
        <figure id="chart-agents"><figcaption>Audio minutes by agent</figcaption>{{#agents}}{{> bars}}{{/agents}}</figure>
        {{/error}}
        {{> foot}}
        """

    static let bars = """
        {{#any}}<svg viewBox="0 0 {{width}} {{height}}" role="img"><title>Audio minutes, largest first</title>
        {{#bars}}<text class="label" x="0" y="{{textY}}">{{name}}<title>{{full}}</title></text><rect class="bar" x="{{x}}" y="{{y}}" width="{{w}}" height="18"><title>{{full}}: {{value}} min</title></rect><text class="tick" x="{{valueX}}" y="{{textY}}">{{value}}</text>
        {{/bars}}</svg>{{/any}}{{^any}}<p>No audio.</p>{{/any}}
        """

    static let login = """
        {{> head}}
        <h1>Sign in</h1>
        <p>This archive needs its access token.</p>
        {{#failed}}<p class="error" role="alert">That token is not right.</p>{{/failed}}
        <form method="post" action="/login" class="search"><label for="token">Token</label>
        <div class="row"><input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Sign in</button></div></form>
        {{> foot}}
        """

    static let error = """
        {{> head}}
        <h1>{{heading}}</h1>
        <p class="error" role="alert">{{message}}</p>
        <p><a href="/">Back to search</a></p>
        {{> foot}}
        """
}
