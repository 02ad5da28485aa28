// rnnviz presenter mode: keys and a step bar for the States page's step-through figure.
// Installed once per tab; acts only while the container `.st-key-rnnviz_present_keys` is on the page.
// Everything drives the figure's own Plotly frames (Plotly.animate), exactly as its slider and Play do.
(() => {
  if (window.__rnnvizPresenter) return;
  window.__rnnvizPresenter = true;
  const active = () => document.querySelector('.st-key-rnnviz_present_keys');
  const figure = () => {
    if (!active()) return null;
    const plots = document.querySelectorAll('[data-testid=stMain] .js-plotly-plot');
    return Array.from(plots).find((gd) => gd._fullLayout && (gd._fullLayout.sliders || []).length) || null;
  };
  const texts = () => window.__rnnvizPresenterTexts || {};
  const quiet = (promise) => promise && promise.catch && promise.catch(() => {});  // an interrupted Play rejects
  const steps = (gd) => gd.layout.sliders[0].steps;
  const current = (gd) => gd._fullLayout.sliders[0].active || 0;
  const playing = (gd) => Boolean(gd._transitionData && gd._transitionData._animationRaf);
  const show = (gd, i) => { const s = steps(gd)[i]; return window.Plotly.animate(gd, s.args[0], s.args[1]); };
  const pause = (gd) => quiet(window.Plotly.animate(gd, ...gd.layout.updatemenus[0].buttons[1].args));
  const stepBy = (gd, by) => {
    if (playing(gd)) pause(gd);
    const i = Math.max(0, Math.min(steps(gd).length - 1, current(gd) + by));
    quiet(show(gd, i));
  };
  const play = (gd) => {
    const start = () => window.Plotly.animate(gd, ...gd.layout.updatemenus[0].buttons[0].args);
    if (current(gd) >= steps(gd).length - 1) quiet(show(gd, 0).then(start));  // at the end: from the start
    else quiet(start());
  };
  const toggle = (gd) => (playing(gd) ? pause(gd) : play(gd));
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)
                                || el.closest('[role=combobox],[role=listbox],[role=slider]'));
  document.addEventListener('keydown', (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || typing(ev.target)) return;
    const gd = figure();
    if (!gd || !window.Plotly) return;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') stepBy(gd, ev.key === 'ArrowRight' ? 1 : -1);
    else if (ev.key === ' ' || ev.code === 'Space') toggle(gd);
    else return;
    ev.preventDefault();
    ev.stopPropagation();
  }, true);

  // The step bar: the figure's slider and Play stay in view while the rows below them scroll past.
  const bar = document.createElement('div');
  bar.id = 'rnnviz-stepbar';
  bar.hidden = true;
  const button = (name, label, on) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.name = name;
    b.textContent = label;
    b.addEventListener('click', () => { const gd = figure(); if (gd && window.Plotly) on(gd); });
    bar.appendChild(b);
    return b;
  };
  const back = button('back', '◀', (gd) => stepBy(gd, -1));
  const playButton = button('play', '▶', toggle);
  const forward = button('forward', '▶▶', (gd) => stepBy(gd, 1));
  const range = document.createElement('input');
  range.type = 'range';
  range.min = 0;
  range.addEventListener('input', () => { const gd = figure(); if (gd) { if (playing(gd)) pause(gd); quiet(show(gd, +range.value)); } });
  bar.appendChild(range);
  const label = document.createElement('span');
  bar.appendChild(label);
  document.body.appendChild(bar);
  const update = () => {
    const gd = figure();
    const rail = gd && gd.querySelector('.slider-rail-rect');
    const top = (document.querySelector('[data-testid=stHeader]') || {getBoundingClientRect: () => ({bottom: 0})})
      .getBoundingClientRect().bottom;
    const shown = rail && rail.getBoundingClientRect().bottom < top && gd.getBoundingClientRect().bottom > top + 120;
    bar.hidden = !shown;
    if (!shown) return;
    const t = texts();
    const i = current(gd), all = steps(gd);
    back.title = t.back || ''; forward.title = t.forward || ''; playButton.title = t.toggle || '';
    playButton.textContent = playing(gd) ? (t.pause || '❚❚') : (t.play || '▶');
    range.max = all.length - 1;
    if (document.activeElement !== range) range.value = i;
    label.textContent = `${t.step || ''} ${all[i] ? all[i].label : i}`;
    bar.style.top = `${top}px`;
    const main = document.querySelector('[data-testid=stMainBlockContainer]');
    if (main) { const r = main.getBoundingClientRect(); bar.style.left = `${r.left}px`; bar.style.width = `${r.width}px`; }
  };
  setInterval(update, 150);
})();
