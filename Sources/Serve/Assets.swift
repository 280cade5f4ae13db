import Hummingbird

/// The stylesheet, the one small script and the icon, served from the binary (no external
/// requests, no build step). The script only adds a Play button; everything works without it.
enum Assets {
    static func add(to router: Router<BasicRequestContext>) {
        for (path, type, body) in [
            ("static/app.css", "text/css; charset=utf-8", css), ("static/app.js", "text/javascript; charset=utf-8", script),
            ("static/icon.svg", "image/svg+xml", icon),
        ] {
            router.get(RouterPath(path)) { _, _ in
                var response = Responses.text(body, type: type)
                response.headers[.cacheControl] = "public, max-age=3600"
                return response
            }
        }
        router.get("favicon.ico") { _, _ in Responses.redirect("/static/icon.svg") }
    }

    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4ed8"/>\
        <path d="M4 10V6h2l3-3v10l-3-3z" fill="#fff"/></svg>

        """

    static let script = """
        // Progressive: a Play/Pause button beside the native player. Without scripts the player's own controls work.
        document.addEventListener("DOMContentLoaded", function () {
          var audio = document.getElementById("player"), button = document.getElementById("play");
          if (!audio || !button) return;
          button.hidden = false;
          button.addEventListener("click", function () {
            if (audio.paused) { audio.play().catch(function () {}); } else { audio.pause(); }
          });
          audio.addEventListener("play", function () { button.textContent = "Pause"; });
          audio.addEventListener("pause", function () { button.textContent = "Play"; });
        });

        """

    static let css = """
        :root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#fff;--accent:#1d4ed8;--valid:#2e7d32;--truncated:#b26a00;--corrupt:#c62828;\
        --not_audio:#6a1b9a;--no_recording:#607d8b;--missing:#8d6e63;--changed:#ad1457;--failed:#37474f;--pruned:#90a4ae}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        main{max-width:70rem;margin:0 auto;padding:0 1rem 2rem}
        .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
        .top{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
        .brand{font-weight:700;color:var(--fg);text-decoration:none}
        nav a{margin-right:.8rem}nav a[aria-current]{font-weight:700}
        a{color:var(--accent)}a:focus,button:focus,input:focus{outline:3px solid #93c5fd;outline-offset:1px}
        h1{font-size:1.5rem;margin:1rem 0 .6rem}h2{font-size:1.15rem;margin:1.2rem 0 .4rem}
        .search label{display:block;font-weight:600;margin-bottom:.2rem}
        .row{display:flex;gap:.4rem}.row input{flex:1;min-width:0}
        input,button{font:inherit;padding:.4rem .6rem;border:1px solid var(--line);border-radius:6px}
        button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
        .help{color:var(--muted);font-size:.85rem;margin:.3rem 0}.help code{margin-right:.3rem}
        .error{color:#8b0000;background:#fdecea;border:1px solid #f5c2c0;padding:.5rem .7rem;border-radius:6px}
        .actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline}
        .table-wrap{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.92rem}
        caption{text-align:left;color:var(--muted);font-size:.85rem;padding:.3rem 0}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
        th a{color:var(--fg)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .badge{display:inline-block;padding:.05rem .45rem;border-radius:999px;color:#fff;font-size:.8rem;white-space:nowrap;background:var(--failed)}
        .badge.v-valid{background:var(--valid)}.badge.v-truncated{background:var(--truncated)}.badge.v-corrupt{background:var(--corrupt)}
        .badge.v-not_audio{background:var(--not_audio)}.badge.v-no_recording{background:var(--no_recording)}.badge.v-missing{background:var(--missing)}
        .badge.v-changed{background:var(--changed)}.badge.v-failed{background:var(--failed)}.badge.v-pruned{background:var(--pruned)}
        .pager{margin:1rem 0}
        audio{width:100%;max-width:40rem}.player-actions{display:flex;gap:1rem;align-items:center}
        .facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.2rem 1rem;margin:0}
        .facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
        figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
        svg{width:100%;height:auto;max-width:48rem;display:block}
        svg .tick,svg .label{font-size:12px;fill:var(--muted)}svg .label{fill:var(--fg)}svg .end{text-anchor:end}
        svg .axis{stroke:var(--line)}svg .bar{fill:var(--accent)}
        rect.v-valid,.swatch.v-valid{fill:var(--valid);background:var(--valid)}rect.v-truncated,.swatch.v-truncated{fill:var(--truncated);background:var(--truncated)}
        rect.v-corrupt,.swatch.v-corrupt{fill:var(--corrupt);background:var(--corrupt)}rect.v-not_audio,.swatch.v-not_audio{fill:var(--not_audio);background:var(--not_audio)}
        rect.v-no_recording,.swatch.v-no_recording{fill:var(--no_recording);background:var(--no_recording)}rect.v-missing,.swatch.v-missing{fill:var(--missing);background:var(--missing)}
        rect.v-changed,.swatch.v-changed{fill:var(--changed);background:var(--changed)}rect.v-failed,.swatch.v-failed{fill:var(--failed);background:var(--failed)}
        .legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem}
        .swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px;vertical-align:-1px}
        footer{color:var(--muted);font-size:.8rem;text-align:center;padding:1rem}
        @media (max-width:40rem){th:nth-child(5),td:nth-child(5){display:none}body{font-size:15px}}

        """
}
