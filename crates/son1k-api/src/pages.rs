//! HTML pages: the landing page (pricing from the tier table, Spanish and English) and `/docs`,
//! a small self-contained OpenAPI viewer that works offline (no CDN).

use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use son1k_core::{Period, Tier};
use utoipa::IntoParams;

use crate::error::ApiQuery;

/// Language choice (a query parameter).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `es` or `en`; otherwise the `Accept-Language` header decides (English by default).
    pub lang: Option<String>,
}

struct Text {
    lang: &'static str,
    tagline: &'static str,
    lead: &'static str,
    download: &'static str,
    features_title: &'static str,
    features: [(&'static str, &'static str); 4],
    pricing: &'static str,
    month: &'static str,
    per_day: &'static str,
    per_month: &'static str,
    generations: &'static str,
    quality: &'static str,
    storage: &'static str,
    unlimited: &'static str,
    pool_note: &'static str,
    other: (&'static str, &'static str),
}

const EN: Text = Text {
    lang: "en",
    tagline: "Make full songs on your own computer.",
    lead: "Son1k Studio writes, arranges and produces songs from a prompt and your lyrics, offline, on any laptop. Ghost Studio turns your demo into a produced track.",
    download: "Download Son1k Studio",
    features_title: "Features",
    features: [
        ("The Generator", "Full songs from a prompt and lyrics, reproducible from a seed."),
        ("Ghost Studio", "Four knobs — Expressivity, Trash, Garage, Rareza — shape a demo into a production."),
        ("Offline first", "Everything runs locally; the account only syncs limits and the community pool."),
        ("Community pool", "Paid users share 5% of their songs; free users can claim 3 a day."),
    ],
    pricing: "Pricing",
    month: "/ month",
    per_day: "per day",
    per_month: "per month",
    generations: "generations",
    quality: "quality",
    storage: "cloud storage",
    unlimited: "unlimited",
    pool_note: "5% of paid generations may enter the community pool (you can withdraw them).",
    other: ("es", "Español"),
};

const ES: Text = Text {
    lang: "es",
    tagline: "Crea canciones completas en tu propio ordenador.",
    lead: "Son1k Studio escribe, arregla y produce canciones a partir de una idea y tu letra, sin conexión, en cualquier portátil. Ghost Studio convierte tu maqueta en una producción.",
    download: "Descargar Son1k Studio",
    features_title: "Funciones",
    features: [
        ("The Generator", "Canciones completas a partir de una idea y la letra, reproducibles con una semilla."),
        ("Ghost Studio", "Cuatro perillas — Expresividad, Trash, Garage, Rareza — dan forma a tu maqueta."),
        ("Primero sin conexión", "Todo corre en tu equipo; la cuenta solo sincroniza límites y el pool comunitario."),
        ("Pool comunitario", "Los usuarios de pago comparten el 5% de sus canciones; los gratuitos reclaman 3 al día."),
    ],
    pricing: "Precios",
    month: "/ mes",
    per_day: "al día",
    per_month: "al mes",
    generations: "generaciones",
    quality: "calidad",
    storage: "almacenamiento en la nube",
    unlimited: "ilimitado",
    pool_note: "El 5% de las generaciones de pago puede entrar al pool comunitario (puedes retirarlas).",
    other: ("en", "English"),
};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the landing page in `lang` (`es` or anything else for English).
pub fn render_landing(lang: &str) -> String {
    let t = if lang == "es" { &ES } else { &EN };
    let mut features = String::new();
    for (title, text) in t.features {
        features.push_str(&format!(
            "<li class=\"feature\"><h3>{}</h3><p>{}</p></li>",
            escape(title),
            escape(text)
        ));
    }
    let mut cards = String::new();
    for row in Tier::table() {
        let period = match row.period {
            Period::Day => t.per_day,
            Period::Month => t.per_month,
        };
        let storage = row
            .storage_gb
            .map(|g| format!("{g} GB"))
            .unwrap_or_else(|| t.unlimited.to_string());
        cards.push_str(&format!(
            "<li class=\"tier\" data-tier=\"{name}\"><h3>{name}</h3>\
             <p class=\"price\">{price} <small>{month}</small></p>\
             <ul><li>{n} {gens} {period}</li><li>{q_label}: {q}</li><li>{s_label}: {storage}</li></ul></li>",
            name = row.tier.name(),
            price = row.price_label(),
            month = t.month,
            n = row.generations,
            gens = t.generations,
            q_label = t.quality,
            q = row.max_quality.name(),
            s_label = t.storage,
        ));
    }
    format!(
        r##"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Son1k Studio</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;color:#eee;background:#111}}
header,section{{max-width:960px;margin:auto;padding:2rem 1rem}}
.hero h1{{font-size:2.4rem;margin:.2em 0}} a{{color:#f0a}}
.cta{{display:inline-block;background:#f0a;color:#111;padding:.8em 1.4em;border-radius:.4em;text-decoration:none;font-weight:bold}}
ul.grid{{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:1rem}}
ul.grid>li{{background:#1d1d1d;padding:1rem;border-radius:.5em}} .price{{font-size:1.6rem}}
nav{{text-align:right}}
</style></head>
<body>
<header class="hero"><nav><a id="lang-switch" href="/?lang={other}">{other_name}</a></nav>
<h1>Son1k Studio</h1><p id="tagline">{tagline}</p><p>{lead}</p>
<a class="cta" id="download" href="#download">{download}</a></header>
<section id="features"><h2>{features_title}</h2><ul class="grid">{features}</ul></section>
<section id="pricing"><h2>{pricing}</h2><ul class="grid">{cards}</ul><p>{pool_note}</p></section>
<footer><section><a href="/docs">API</a></section></footer>
</body></html>"##,
        lang = t.lang,
        other = t.other.0,
        other_name = t.other.1,
        tagline = escape(t.tagline),
        lead = escape(t.lead),
        download = escape(t.download),
        features_title = t.features_title,
        pricing = t.pricing,
        pool_note = escape(t.pool_note),
    )
}

/// The landing page: hero, features, pricing from the tier table, download link; `?lang=es|en`.
#[utoipa::path(get, path = "/", tag = "meta", params(LangQuery),
    responses((status = 200, description = "HTML landing page", content_type = "text/html")))]
pub async fn landing(
    headers: axum::http::HeaderMap,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> impl IntoResponse {
    let lang = match q.lang.as_deref() {
        Some(l) => l.to_lowercase(),
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.trim_start().to_lowercase().starts_with("es"))
            .map(|_| "es".to_string())
            .unwrap_or_else(|| "en".to_string()),
    };
    Html(render_landing(&lang))
}

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Son1k Studio API</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:auto;padding:1rem}
details{border:1px solid #ccc;border-radius:.3em;margin:.4em 0;padding:.4em}
summary{cursor:pointer} .m{display:inline-block;width:4.5em;font-weight:bold;text-transform:uppercase}
.get{color:#06a}.post{color:#080}.delete{color:#a00} pre{background:#f4f4f4;padding:.5em;overflow:auto}
textarea{width:100%;height:6em;font-family:monospace}
</style></head>
<body><h1>Son1k Studio API</h1>
<p>Bearer token: <input id="token" size="60" placeholder="paste an access token"></p>
<div id="ops">Loading <a href="/openapi.json">/openapi.json</a>…</div>
<script>
function el(tag, attrs, text){const e=document.createElement(tag);Object.assign(e,attrs||{});if(text)e.textContent=text;return e;}
fetch('/openapi.json').then(r=>r.json()).then(spec=>{
  const root=document.getElementById('ops'); root.textContent='';
  for(const [path,item] of Object.entries(spec.paths)){
    for(const [method,op] of Object.entries(item)){
      const d=el('details',{className:'op'}); const s=el('summary');
      s.append(el('span',{className:'m '+method},method), el('code',{},path), document.createTextNode(' — '+(op.summary||'')));
      d.append(s);
      if(op.description) d.append(el('p',{},op.description));
      const params=(op.parameters||[]).filter(p=>p.in==='path'||p.in==='query');
      const inputs={};
      for(const p of params){const l=el('label',{},p.name+' ('+p.in+') ');const i=el('input');inputs[p.name]=[p.in,i];l.append(i);d.append(l,el('br'));}
      let body=null;
      if(op.requestBody){body=el('textarea');body.value='{}';d.append(body);}
      const out=el('pre'); const b=el('button',{},'Try it');
      b.onclick=async()=>{
        let url=path; const qs=new URLSearchParams();
        for(const [n,[where,i]] of Object.entries(inputs)){ if(where==='path') url=url.replace('{'+n+'}',encodeURIComponent(i.value)); else if(i.value) qs.set(n,i.value);}
        if([...qs].length) url+='?'+qs;
        const h={}; const tok=document.getElementById('token').value.trim(); if(tok) h['Authorization']='Bearer '+tok;
        if(body) h['Content-Type']='application/json';
        const r=await fetch(url,{method:method.toUpperCase(),headers:h,body:body?body.value:undefined});
        out.textContent=r.status+' '+r.statusText+'\n'+await r.text();
      };
      d.append(b,out); root.append(d);
    }
  }
}).catch(e=>{document.getElementById('ops').textContent='Could not load /openapi.json: '+e;});
</script></body></html>"#;

/// An interactive OpenAPI viewer that needs no network beyond this server.
#[utoipa::path(get, path = "/docs", tag = "meta",
    responses((status = 200, description = "HTML API explorer", content_type = "text/html")))]
pub async fn docs() -> Html<&'static str> {
    Html(DOCS_PAGE)
}
