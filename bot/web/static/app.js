/* The managers' dashboard: plain DOM, data from /app/api/ with "Authorization: tma <initData>".
   Every text from the server goes in with textContent, never as HTML. */
(function () {
  'use strict';
  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var unsafe = (tg && tg.initDataUnsafe) || {};
  var code = ((unsafe.user && unsafe.user.language_code) || document.documentElement.lang || 'ru').toLowerCase();
  var lang = code.indexOf('ru') === 0 ? 'ru' : 'en';

  var T = {
    ru: {
      campaign: 'Кампания', overview: 'Обзор', breakdown: 'Группы', drivers: 'Причины', kpi: 'KPI',
      alerts: 'Сигналы', nps: 'NPS', answers: 'ответов', margin: 'погрешность',
      promoters: 'Промоутеры', passives: 'Нейтралы', detractors: 'Критики', trend: 'Динамика по кампаниям',
      vs: 'к «{0}»', significant: 'значимо', noise: 'в пределах погрешности', empty: 'Пока нет ответов — цифры появятся, когда партнеры ответят.',
      segment: 'Сегмент', tier: 'Уровень', geo: 'Гео', niche: 'Ниша', hidden: 'Группы меньше {0} ответов скрыты: их можно связать с партнерами.',
      other: 'другие ({0} групп)', change: 'к прошлой кампании', themes: 'Темы комментариев', driversTitle: 'Что повлияло на оценку',
      noComments: 'Комментариев нет.', more: 'Ещё', small: 'мало ответов', comments: 'Комментарии', anonymous: 'имена скрыты',
      fewAnswers: 'мало ответов для погрешности', noAlerts: 'Открытых сигналов нет.', resolve: 'Решено', resolved: 'Отмечено как решенное', already: 'Уже решено другим менеджером',
      score: 'Оценка', key: 'ключевой', kpiNone: 'Цифры удержания и выручки пока недоступны: загрузите KPI партнеров.',
      refused401: 'Откройте дашборд из Telegram', refused401Hint: 'Ссылка устарела или открыта не из Telegram. Откройте ее снова из чата менеджеров.',
      refused403: 'Нет доступа', refused403Hint: 'Дашборд видят только администраторы и участники чата менеджеров программы.',
      failed: 'Не удалось загрузить данные. Попробуйте еще раз.', retry: 'Повторить', unclassified: 'без темы: {0}',
      churn: 'Отток', revenueBefore: 'Выручка до', revenueAfter: 'Выручка после', keyPartners: 'Ключевые партнеры',
      windowDone: 'окно 3 месяца закрыто', windowOpen: 'окно закроется через {0} мес.', churnGap: 'Отток критиков минус промоутеров: {0} п.п.', ofRevenue: 'выручки'
    },
    en: {
      campaign: 'Campaign', overview: 'Overview', breakdown: 'Groups', drivers: 'Drivers', kpi: 'KPI',
      alerts: 'Alerts', nps: 'NPS', answers: 'answers', margin: 'margin',
      promoters: 'Promoters', passives: 'Passives', detractors: 'Detractors', trend: 'Trend over campaigns',
      vs: 'vs «{0}»', significant: 'significant', noise: 'within the margin', empty: 'No answers yet: figures appear once partners answer.',
      segment: 'Segment', tier: 'Tier', geo: 'Geo', niche: 'Niche', hidden: 'Groups under {0} answers are hidden: they could be traced to partners.',
      other: 'other ({0} groups)', change: 'vs previous campaign', themes: 'Comment themes', driversTitle: 'What drove the score',
      noComments: 'No comments.', more: 'More', small: 'few answers', comments: 'Comments', anonymous: 'names hidden',
      fewAnswers: 'too few answers for a margin', noAlerts: 'No open alerts.', resolve: 'Resolve', resolved: 'Marked resolved', already: 'Already resolved by another manager',
      score: 'Score', key: 'key partner', kpiNone: 'Retention and revenue figures are not available yet: import partners\' KPIs.',
      refused401: 'Open the dashboard from Telegram', refused401Hint: 'The link is stale or was not opened from Telegram. Open it again from the managers\' chat.',
      refused403: 'No access', refused403Hint: 'Only the program\'s admins and members of the managers\' chat can see the dashboard.',
      failed: 'Could not load the data. Please try again.', retry: 'Retry', unclassified: 'no theme: {0}',
      churn: 'Churn', revenueBefore: 'Revenue before', revenueAfter: 'Revenue after', keyPartners: 'Key partners',
      windowDone: '3-month window complete', windowOpen: 'window complete in {0} months', churnGap: 'Detractors\' churn minus promoters\': {0} pp', ofRevenue: 'of revenue'
    }
  };
  function t(key) {
    var text = T[lang][key] || key;
    for (var i = 1; i < arguments.length; i++) text = text.replace('{' + (i - 1) + '}', String(arguments[i]));
    return text;
  }

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') el.textContent = attrs[k];
      else if (k === 'onclick') el.addEventListener('click', attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined) el.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function s(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    return el;
  }

  /* Theme: Telegram's colours, light or dark, live when the user switches. */
  var THEME = { bg_color: '--bg', text_color: '--text', hint_color: '--hint', link_color: '--link',
    button_color: '--button', button_text_color: '--button-text', secondary_bg_color: '--section',
    accent_text_color: '--accent', destructive_text_color: '--danger' };
  function applyTheme() {
    var root = document.documentElement;
    root.setAttribute('data-scheme', tg && tg.colorScheme === 'dark' ? 'dark' : 'light');
    var p = (tg && tg.themeParams) || {};
    for (var key in THEME) {
      if (p[key]) root.style.setProperty(THEME[key], p[key]); else root.style.removeProperty(THEME[key]);
    }
    if (p.section_bg_color && p.secondary_bg_color === undefined) root.style.setProperty('--section', p.section_bg_color);
  }

  /* Data: every request carries initData; 401/403 end in the refusal page. */
  function Refused(status) { this.status = status; }
  function api(path, options) {
    options = options || {};
    var headers = { Authorization: 'tma ' + ((tg && tg.initData) || '') };
    return fetch('api/' + path, { method: options.method || 'GET', headers: headers, cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) throw new Refused(r.status);
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      });
  }

  var view = document.getElementById('view');
  var state = { campaign: null, tab: 'overview', stack: [], me: null };

  function refusalIcon() {
    var svg = s('svg', { width: 56, height: 56, viewBox: '0 0 56 56', 'aria-hidden': 'true' });
    svg.appendChild(s('circle', { cx: 28, cy: 28, r: 24, fill: 'none', stroke: 'currentColor', 'stroke-width': 4 }));
    svg.appendChild(s('line', { x1: 12, y1: 28, x2: 44, y2: 28, stroke: 'currentColor', 'stroke-width': 4 }));
    return h('div', { 'class': 'hint' }, svg);
  }
  function refuse(status) {
    document.getElementById('top').hidden = true;
    if (tg) tg.BackButton.hide();
    view.replaceChildren(h('div', { 'class': 'refusal', 'data-testid': 'refusal' },
      refusalIcon(),
      h('h2', { text: t(status === 401 ? 'refused401' : 'refused403') }),
      h('p', { 'class': 'hint', text: t(status === 401 ? 'refused401Hint' : 'refused403Hint') })));
  }
  function failed(err, again) {
    if (err instanceof Refused) { refuse(err.status); return; }
    view.replaceChildren(h('p', { 'class': 'hint', text: t('failed') }),
      h('button', { 'class': 'action', text: t('retry'), onclick: again }));
  }
  function load(path, render) {
    var token = {};
    state.loading = token;
    var ready = state.prefetched ? Promise.resolve(state.prefetched) : api(path);
    state.prefetched = null;
    ready.then(function (r) {
      if (state.loading !== token) return; // the user went elsewhere meanwhile
      render(r.body, r.status);
    }).catch(function (err) { failed(err, function () { load(path, render); }); });
  }
  function campaignArg() { return state.campaign ? 'campaign=' + state.campaign : ''; }

  /* Navigation: tabs at the top; drilling down pushes a view, Telegram's BackButton pops it. */
  var TABS = ['overview', 'breakdown', 'drivers', 'kpi', 'alerts'];
  function renderTabs() {
    var nav = document.getElementById('tabs');
    nav.replaceChildren.apply(nav, TABS.map(function (name) {
      return h('button', { role: 'tab', 'data-tab': name, 'aria-selected': String(state.tab === name && !state.stack.length),
        text: t(name), onclick: function () { state.stack = []; state.tab = name; show(); } });
    }));
  }
  function push(render) { state.stack.push(render); show(); }
  function back() { state.stack.pop(); show(); }
  function show() {
    renderTabs();
    if (tg) { if (state.stack.length) tg.BackButton.show(); else tg.BackButton.hide(); }
    window.scrollTo(0, 0);
    if (state.stack.length) { state.stack[state.stack.length - 1](); return; }
    ({ overview: overview, breakdown: breakdownTab, drivers: driversTab, kpi: kpiTab, alerts: alertsTab })[state.tab]();
  }

  // Small samples have no margin (too few answers to estimate one): they say so instead.
  function marginText(f) { return f.margin === null ? t('fewAnswers') : '± ' + f.margin_shown; }
  function npsLine(f) {
    return f.shown + ' ' + marginText(f) + ' · ' + f.n + ' ' + t('answers');
  }
  function split(f) {
    var n = f.n || 1;
    return h('div', null,
      h('div', { 'class': 'split' },
        h('span', { 'class': 'p', style: 'width:' + (100 * f.promoters / n) + '%' }),
        h('span', { 'class': 's', style: 'width:' + (100 * f.passives / n) + '%' }),
        h('span', { 'class': 'd', style: 'width:' + (100 * f.detractors / n) + '%' })),
      h('div', { 'class': 'legend' },
        h('span', null, h('i', { 'class': 'p' }), t('promoters') + ' ' + f.promoters),
        h('span', null, h('i', { 'class': 's' }), t('passives') + ' ' + f.passives),
        h('span', null, h('i', { 'class': 'd' }), t('detractors') + ' ' + f.detractors)));
  }
  function changeText(c) {
    if (!c) return null;
    var sign = c.delta > 0 ? '+' : c.delta < 0 ? '−' : '';
    return h('span', { 'class': c.significant ? (c.delta > 0 ? 'up' : 'down') : 'hint',
      text: sign + Math.abs(c.delta).toFixed(1).replace('.', lang === 'ru' ? ',' : '.') + ' ' + (c.significant ? '' : '(' + t('noise') + ')') });
  }

  /* The trend: NPS per campaign with its margin as a band and n on every point (inline SVG). */
  function trendChart(points) {
    var W = 340, H = 170, L = 44, R = 30, TOP = 14, B = 36;
    var shown = points.filter(function (p) { return p.n > 0; }).map(function (p) {
      return Object.assign({}, p, { margin: p.margin === null ? 0 : p.margin });  // no band for a small sample
    });
    if (!shown.length) return null;
    var lo = 100, hi = -100;
    shown.forEach(function (p) { lo = Math.min(lo, p.nps - p.margin); hi = Math.max(hi, p.nps + p.margin); });
    lo = Math.max(-100, Math.floor((Math.min(lo, 0) - 5) / 10) * 10);
    hi = Math.min(100, Math.ceil((Math.max(hi, 0) + 5) / 10) * 10);
    var x = function (i) { return shown.length === 1 ? (L + W - R) / 2 : L + i * (W - L - R) / (shown.length - 1); };
    var y = function (v) { return TOP + (hi - v) * (H - TOP - B) / (hi - lo); };
    var svg = s('svg', { 'class': 'trend', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'data-testid': 'trend' });
    [lo, 0, hi].forEach(function (v) {
      var tx = s('text', { x: 2, y: y(v) + 3 }); tx.textContent = (v > 0 ? '+' : '') + v; svg.appendChild(tx);
    });
    svg.appendChild(s('line', { 'class': 'zero', x1: L, x2: W - R, y1: y(0), y2: y(0) }));
    var upper = shown.map(function (p, i) { return x(i) + ',' + y(Math.min(100, p.nps + p.margin)); });
    var lower = shown.map(function (p, i) { return x(i) + ',' + y(Math.max(-100, p.nps - p.margin)); }).reverse();
    if (shown.length > 1) svg.appendChild(s('polygon', { 'class': 'band', points: upper.concat(lower).join(' ') }));
    else svg.appendChild(s('rect', { 'class': 'band', x: x(0) - 8, width: 16, y: y(Math.min(100, shown[0].nps + shown[0].margin)),
      height: Math.max(1, y(Math.max(-100, shown[0].nps - shown[0].margin)) - y(Math.min(100, shown[0].nps + shown[0].margin))) }));
    svg.appendChild(s('polyline', { 'class': 'line', points: shown.map(function (p, i) { return x(i) + ',' + y(p.nps); }).join(' ') }));
    shown.forEach(function (p, i) {
      var dot = s('circle', { 'class': 'dot', cx: x(i), cy: y(p.nps), r: 3.5 });
      var tip = s('title', {}); tip.textContent = p.label + ': ' + npsLine(p); dot.appendChild(tip);
      svg.appendChild(dot);
      var v = s('text', { x: x(i), y: y(p.nps) - 7, 'text-anchor': 'middle' }); v.textContent = p.shown; svg.appendChild(v);
      var n = s('text', { x: x(i), y: H - 22, 'text-anchor': 'middle' }); n.textContent = 'n=' + p.n; svg.appendChild(n);
      var lab = s('text', { x: x(i), y: H - 8, 'text-anchor': 'middle' });
      lab.textContent = p.label.length > 10 ? p.label.slice(0, 9) + '…' : p.label; svg.appendChild(lab);
    });
    return svg;
  }

  function overview() {
    load('overview?' + campaignArg(), function (d) {
      if (!d.campaign) { view.replaceChildren(h('p', { 'class': 'hint', 'data-testid': 'empty', text: t('empty') })); return; }
      var f = d.nps;
      var parts = [h('div', { 'class': 'card' },
        h('div', { 'class': 'hint', text: t('nps') + ' · ' + d.campaign.title }),
        h('div', { 'class': 'big', 'data-testid': 'nps-value', text: f.shown }),
        h('div', { 'class': 'hint', 'data-testid': 'nps-detail', text: (f.margin === null ? t('fewAnswers') : '± ' + f.margin_shown + ' (' + t('margin') + ')') + ' · ' + f.n + ' ' + t('answers') }),
        d.vs_previous ? h('div', null, t('vs', d.vs_previous.label) + ': ', changeText(d.vs_previous)) : null,
        f.n ? split(f) : h('p', { 'class': 'hint', text: t('empty') }))];
      if (d.trend.length > 1 || (d.trend.length === 1 && d.trend[0].n)) {
        parts.push(h('h2', { text: t('trend') }), h('div', { 'class': 'card' }, trendChart(d.trend)));
      }
      view.replaceChildren.apply(view, parts);
    });
  }

  function breakdownTab() {
    var dims = (state.me && state.me.dimensions) || ['segment', 'tier', 'geo', 'niche'];
    var dim = state.dimension || dims[0];
    var bar = h('nav', { 'data-testid': 'dimensions' });
    dims.forEach(function (name) {
      bar.appendChild(h('button', { 'aria-selected': String(name === dim), text: t(name),
        onclick: function () { state.dimension = name; show(); } }));
    });
    view.replaceChildren(bar, h('p', { 'class': 'hint', text: '…' }));
    load('breakdown?dimension=' + dim + '&' + campaignArg(), function (d) {
      var list = h('ul', { 'class': 'list', 'data-testid': 'groups' });
      (d.groups || []).forEach(function (g) {
        var name = g.key === null ? t('other', g.folded) : g.name;
        list.appendChild(h('li', { 'class': 'tap', 'data-group': g.key === null ? '' : g.key, onclick: function () { push(function () { groupView(dim, name, g, d.previous); }); } },
          h('div', { 'class': 'row' }, h('span', { 'class': 'name', text: name }), h('b', { text: g.shown })),
          h('div', { 'class': 'row hint' }, h('span', { text: g.n + ' ' + t('answers') }), changeText(g.change))));
      });
      var parts = [bar];
      if (d.hidden || !(d.groups || []).length) parts.push(h('p', { 'class': 'hint', text: d.hidden ? t('hidden', d.min_group_size) : t('empty') }));
      else parts.push(list, h('p', { 'class': 'hint', text: t('hidden', d.min_group_size) }));
      view.replaceChildren.apply(view, parts);
    });
  }

  function groupView(dim, name, g, previous) {
    view.replaceChildren(h('div', { 'class': 'card', 'data-testid': 'group' },
      h('div', { 'class': 'hint', text: t(dim) }),
      h('div', { 'class': 'name', text: name }),
      h('div', { 'class': 'big', text: g.shown }),
      h('div', { 'class': 'hint', text: marginText(g) + ' · ' + g.n + ' ' + t('answers') }),
      g.change && previous ? h('div', null, t('vs', previous) + ': ', changeText(g.change)) : null,
      split(g)));
  }

  function driversTab() {
    load('drivers?' + campaignArg(), function (d) {
      if (!d.campaign) { view.replaceChildren(h('p', { 'class': 'hint', text: t('empty') })); return; }
      var drivers = h('ul', { 'class': 'list', 'data-testid': 'drivers' });
      d.drivers.forEach(function (x) {
        drivers.appendChild(h('li', { 'class': 'tap', 'data-area': x.area, onclick: function () { push(function () { commentsView(d.campaign.id, 'driver', x.area, x.name); }); } },
          h('div', { 'class': 'row' }, h('span', { 'class': 'name', text: x.name }), h('b', { text: x.nps ? x.nps.shown : '' })),
          h('div', { 'class': 'hint', text: Math.round(x.share * 100) + '% · ' + x.count + ' ' + t('answers') + (x.nps ? '' : ' · ' + t('small')) })));
      });
      var themes = h('ul', { 'class': 'list', 'data-testid': 'themes' });
      d.themes.forEach(function (x) {
        themes.appendChild(h('li', { 'class': 'tap', 'data-area': x.area, onclick: function () { push(function () { commentsView(d.campaign.id, 'theme', x.area, x.name); }); } },
          h('div', { 'class': 'row' }, h('span', { 'class': 'name', text: x.name }), h('span', { 'class': 'hint', text: Math.round(x.share * 100) + '%' }))));
      });
      view.replaceChildren(h('h2', { text: t('driversTitle') }), d.drivers.length ? drivers : h('p', { 'class': 'hint', text: t('empty') }),
        h('h2', { text: t('themes') }), d.themes.length ? themes : h('p', { 'class': 'hint', text: t('noComments') }),
        d.unclassified ? h('p', { 'class': 'hint', text: t('unclassified', d.unclassified) }) : null);
    });
  }

  function commentsView(campaign, kind, area, name) {
    var list = h('ul', { 'class': 'list', 'data-testid': 'comments' });
    var anonymous = state.me && state.me.anonymous;
    view.replaceChildren(h('h2', { text: name }), h('p', { 'class': 'hint', text: t('comments') + (anonymous ? ' · ' + t('anonymous') : '') }), list);
    function page(number) {
      load('comments?campaign=' + campaign + '&kind=' + kind + '&area=' + encodeURIComponent(area) + '&page=' + number, function (d) {
        var old = view.querySelector('button.more'); if (old) old.remove();
        d.items.forEach(function (c) {
          list.appendChild(h('li', { 'data-testid': 'comment' },
            h('div', { 'class': 'row hint' }, h('span', { text: c.who || '' }), h('span', { text: t('score') + ' ' + c.score + ' · ' + new Date(c.at).toLocaleDateString(lang) })),
            h('div', { 'class': 'comment', text: c.text })));
        });
        if (!list.children.length) view.appendChild(h('p', { 'class': 'hint', text: t('noComments') }));
        if (d.more) view.appendChild(h('button', { 'class': 'action more', text: t('more'), onclick: function () { page(number + 1); } }));
      });
    }
    page(0);
  }

  function kpiTab() {
    load('kpi?' + campaignArg(), function (d) {
      if (!d.available) { view.replaceChildren(h('p', { 'class': 'hint', 'data-testid': 'kpi-none', text: t('kpiNone') })); return; }
      var r = d.retention, names = { promoter: t('promoters'), passive: t('passives'), detractor: t('detractors') };
      var rows = h('ul', { 'class': 'list', 'data-testid': 'kpi' });
      ['promoter', 'passive', 'detractor'].forEach(function (c) {
        var x = r.categories[c];
        rows.appendChild(h('li', null,
          h('div', { 'class': 'row' }, h('span', { 'class': 'name', text: names[c] }),
            h('b', { text: x.churn_rate === null ? '—' : t('churn') + ' ' + (100 * x.churn_rate).toFixed(1) + '%' })),
          h('div', { 'class': 'hint', text: x.partners + ' · ' + t('revenueBefore') + ' ' + x.revenue_before + ' · ' + t('revenueAfter') + ' ' + x.revenue_after })));
      });
      var k = d.key_partners, dvp = r.detractor_vs_promoter || {};
      view.replaceChildren(
        h('p', { 'class': 'hint', text: r.month + ' · ' + (r.window_complete ? t('windowDone') : t('windowOpen', d.months_to_complete)) }),
        rows,
        dvp.churn_difference !== null && dvp.churn_difference !== undefined
          ? h('p', null, t('churnGap', (100 * dvp.churn_difference).toFixed(1)) + ' — ' + (dvp.significant ? t('significant') : t('noise'))) : null,
        h('h2', { text: t('keyPartners') }),
        h('div', { 'class': 'card' },
          h('div', { 'class': 'row' }, h('span', { text: k.count + (k.revenue_share !== null ? ' · ' + Math.round(100 * k.revenue_share) + '% ' + t('ofRevenue') : '') }),
            h('b', { text: k.nps.n ? t('nps') + ' ' + k.nps.shown : '—' })),
          h('div', { 'class': 'hint', text: k.months.join(', ') })));
    });
  }

  function alertsTab() {
    load('alerts', function (d) {
      if (!d.alerts.length) { view.replaceChildren(h('p', { 'class': 'hint', 'data-testid': 'no-alerts', text: t('noAlerts') })); return; }
      var list = h('ul', { 'class': 'list', 'data-testid': 'alerts' });
      d.alerts.forEach(function (a) {
        var item = h('li', { 'data-alert': String(a.id) },
          h('div', { 'class': 'row' }, h('span', { 'class': 'name', text: a.who }), h('b', { text: t('score') + ' ' + a.score })),
          a.key_partner ? h('span', { 'class': 'badge', text: t('key') }) : null,
          h('div', { 'class': 'hint', text: [a.segment, a.tier, a.campaign].filter(Boolean).join(' · ') }),
          a.comment ? h('div', { 'class': 'comment', text: a.comment }) : null,
          a.drivers.length ? h('div', { 'class': 'hint', text: a.drivers.join(', ') }) : null);
        var button = h('button', { 'class': 'action', text: t('resolve'), onclick: function () {
          button.disabled = true;
          api('alerts/' + a.id + '/resolve', { method: 'POST' }).then(function (r) {
            button.replaceWith(h('div', { 'class': 'hint', 'data-testid': 'resolved', text: r.status === 200 ? t('resolved') : t('already') }));
            if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred('success');
          }).catch(function (err) { if (err instanceof Refused) refuse(err.status); else button.disabled = false; });
        } });
        item.appendChild(button);
        list.appendChild(item);
      });
      view.replaceChildren(list);
    });
  }

  function picker(list) {
    var select = document.getElementById('campaign');
    document.getElementById('picker-label').textContent = t('campaign');
    select.replaceChildren.apply(select, list.campaigns.map(function (c) {
      return h('option', { value: String(c.id), text: c.title + (c.launched_at ? ' · ' + c.launched_at.slice(0, 7) : '') });
    }));
    if (!list.campaigns.length) select.disabled = true;
    if (state.campaign) select.value = String(state.campaign);
    else if (list.current) { state.campaign = list.current; select.value = String(list.current); }
    select.onchange = function () { state.campaign = Number(select.value); state.stack = []; show(); };
  }

  /* startapp only chooses the first view: "alerts", "kpi", "breakdown", "drivers", or "c<id>". */
  function start() {
    // Direct links carry it as start_param; a private chat's web_app button as ?view=
    var param = unsafe.start_param || new URLSearchParams(location.search).get('view') || '';
    if (TABS.indexOf(param) >= 0) state.tab = param;
    var m = /^c(\d{1,18})$/.exec(param);
    if (m) state.campaign = Number(m[1]);
    document.documentElement.lang = lang;
    applyTheme();
    if (tg) {
      tg.ready(); tg.expand();
      tg.onEvent('themeChanged', applyTheme);
      tg.BackButton.onClick(back);
    }
    // The first view's data is asked for alongside who-am-I and the campaigns: one round trip.
    var first = state.tab === 'overview' ? api('overview?' + campaignArg()) : null;
    Promise.all([api('me'), api('campaigns'), first]).then(function (r) {
      state.me = r[0].body;
      document.getElementById('top').hidden = false;
      picker(r[1].body);
      if (r[2]) state.prefetched = r[2];
      show();
    }).catch(function (err) { failed(err, start); });
  }
  start();
})();
