/* Booking: stop suggestions (an ARIA 1.2 combobox), the journey search, choosing an option.
 *
 * API calls per search: one GET /api/v1/stops per stop field (debounced, answers cached) and one
 * GET /api/v1/journeys, whose options come priced: at most three. Every text comes from the page
 * (#booking-data, translated on the server). Checkout and the ticket are server-rendered pages.
 */
"use strict";
(function () {
  const DEBOUNCE_MS = 250;
  const MIN_CHARS = 2;

  const dataElement = document.getElementById("booking-data");
  const paymentError = document.getElementById("payment-error");
  if (paymentError) paymentError.focus();  /* checkout: a refused payment is read out first */
  if (!dataElement) return;
  const data = JSON.parse(dataElement.textContent);
  const text = data.text;
  const say = (key, values = {}) => Object.entries(values).reduce(
    (message, [name, value]) => message.replace(`{${name}}`, String(value)), text[key] || key);

  const timeZone = document.documentElement.dataset.timezone || undefined;
  const clock = (iso) => new Intl.DateTimeFormat(fb.lang(), {hour: "2-digit", minute: "2-digit", timeZone})
    .format(new Date(iso));
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };

  /* --- stop combobox --------------------------------------------------------------------------- */
  const stopCache = new Map();

  async function findStops(query) {
    const key = query.toLowerCase();
    if (!stopCache.has(key)) {
      stopCache.set(key, fb.api("/api/v1/stops?q=" + encodeURIComponent(query)).then((body) => body.stops)
        .catch((error) => { stopCache.delete(key); throw error; }));
    }
    return stopCache.get(key);
  }

  function stopLabel(stop) {
    return stop.town && !stop.name.startsWith(stop.town) ? `${stop.name} (${stop.town})` : stop.name;
  }

  function setUpCombobox(box) {
    const input = box.querySelector("[data-stop-input]");
    const hidden = box.querySelector("[data-stop-id]");
    const list = box.querySelector("[role=listbox]");
    const error = box.querySelector("[data-field-error]");
    const status = document.getElementById("search-status");
    let stops = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    const optionId = (index) => `${list.id}-${index}`;
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", optionId(index));
        document.getElementById(optionId(index)).scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      clearTimeout(timer);  /* a suggestion still waiting for the pause in typing is not needed any more */
      const stop = stops[index];
      input.value = stopLabel(stop);
      hidden.value = stop.id;
      input.removeAttribute("aria-invalid");
      error.textContent = "";
      close();
    }
    function show(found) {
      stops = found;
      list.replaceChildren(...found.map((stop, index) => {
        const option = el("li", {id: optionId(index), role: "option", "aria-selected": "false", text: stopLabel(stop)});
        option.addEventListener("mousedown", (event) => event.preventDefault());  /* keep the focus in the input */
        option.addEventListener("click", () => choose(index));
        return option;
      }));
      const open = found.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
      active = -1;
      status.textContent = open ? say("suggestions", {count: found.length}) : say("no_suggestions");
    }
    async function suggest() {
      const query = input.value.trim();
      if (query.length < MIN_CHARS) { close(); return; }
      const mine = ++asked;
      try {
        const found = await findStops(query);
        if (mine === asked && document.activeElement === input) show(found);
      } catch (failure) {
        if (mine === asked) status.textContent = say("failed");
      }
    }

    input.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(suggest, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden && stops.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { suggest(); return; }
        highlight(active + 1 >= stops.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? stops.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  /* choosing a suggestion does not send the form */
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));

    /* The chosen stop's id. A typed (or pasted) exact name or id counts as chosen, and so does the only
     * stop that matches; the lookup is the suggestion call the field would have made (and is cached). */
    box.resolve = async () => {
      clearTimeout(timer);
      if (hidden.value) return hidden.value;
      const query = input.value.trim();
      const typed = query.toLowerCase();
      let candidates = stops;
      if (query.length >= MIN_CHARS) {
        try { candidates = await findStops(query); } catch (failure) { candidates = stops; }
      }
      const match = candidates.find((stop) => [stop.id.toLowerCase(), stop.name.toLowerCase(),
                                               stopLabel(stop).toLowerCase()].includes(typed))
        || (candidates.length === 1 && query.length >= MIN_CHARS ? candidates[0] : null);
      if (match) {
        input.value = stopLabel(match);
        hidden.value = match.id;
        input.removeAttribute("aria-invalid");
        error.textContent = "";
        return match.id;
      }
      input.setAttribute("aria-invalid", "true");
      error.textContent = say("choose_stop");
      return null;
    };
    box.invalid = (message) => {
      input.setAttribute("aria-invalid", "true");
      error.textContent = message;
    };
    box.input = input;
  }

  /* --- search and results ---------------------------------------------------------------------- */
  const form = document.getElementById("journey-search");
  const [fromBox, toBox] = form.querySelectorAll("[data-combobox]");
  [fromBox, toBox].forEach(setUpCombobox);
  const status = document.getElementById("search-status");
  const errorBox = document.getElementById("search-error");
  const results = document.getElementById("results");
  const optionsList = document.getElementById("options");
  const heading = document.getElementById("results-heading");
  let lastSearch = null;
  const SEARCH_ERRORS = {no_journey_found: "none_found", no_fare_found: "unpriced", unknown_rider_category: "unpriced",
                         invalid_request: "check_input", not_found: "choose_stop"};

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function minutes(count) {
    return say("duration", {minutes: count});
  }

  function transfersText(count) {
    if (count === 0) return say("direct");
    return count === 1 ? say("transfer_one") : say("transfers", {count});
  }

  function legItem(leg) {
    const mode = say("mode_" + leg.mode);
    const operator = leg.operator_id ? (data.operators[leg.operator_id] || leg.operator_id) : null;
    const line = leg.route_name ? `${mode} ${leg.route_name}` : mode;
    return el("li", {class: "leg"},
      el("span", {class: "leg-line", text: line}),
      operator ? el("span", {class: "leg-operator", text: operator}) : null,
      el("span", {class: "leg-stops"},
        el("span", {class: "leg-stop"}, el("time", {datetime: leg.departure, text: clock(leg.departure)}), " " + leg.from_stop_name),
        el("span", {class: "leg-stop"}, el("time", {datetime: leg.arrival, text: clock(leg.arrival)}), " " + leg.to_stop_name)));
  }

  function sharesTable(price) {
    const rows = price.operators.map((share) => el("tr", {},
      el("td", {}, `${data.operators[share.operator_id] || share.operator_id} `,
        el("span", {class: "muted", text: `(${share.operator_id})`})),
      el("td", {class: "amount", text: fb.money(share.amount_minor, price.currency)})));
    return el("table", {class: "shares"},
      el("caption", {text: say("breakdown")}),
      el("thead", {}, el("tr", {}, el("th", {scope: "col", text: say("operator")}),
        el("th", {scope: "col", class: "amount", text: say("share")}))),
      el("tbody", {}, ...rows),
      el("tfoot", {}, el("tr", {}, el("th", {scope: "row", text: say("total")}),
        el("td", {class: "amount total", text: fb.money(price.total_minor, price.currency)}))));
  }

  function optionItem(option, index) {
    const headingId = `option-${index}-heading`;
    const priced = option.price && option.price.total_minor !== null;
    const badges = option.criteria.map((name) => el("span", {class: "badge", text: say("criterion_" + name)}));
    const choose = el("button", {type: "button", class: "button", "aria-describedby": headingId, text: say("choose")});
    choose.disabled = !priced;
    choose.addEventListener("click", () => order(option, choose));
    return el("li", {class: "option"},
      el("article", {"aria-labelledby": headingId},
        el("h3", {id: headingId},
          el("span", {class: "visually-hidden", text: say("option", {number: index + 1}) + ": "}),
          `${clock(option.departure)} – ${clock(option.arrival)}`),
        el("p", {class: "option-summary"},
          `${minutes(option.duration_minutes)} · ${transfersText(option.transfers)} `, ...badges),
        el("ol", {class: "legs", "aria-label": say("legs")}, ...option.legs.map(legItem)),
        priced ? sharesTable(option.price) : el("p", {text: say("unpriced")}),
        el("p", {class: "option-action"},
          priced ? el("span", {class: "price", text: fb.money(option.price.total_minor, option.price.currency)}) : null,
          choose)));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const from = await fromBox.resolve();
    const to = await toBox.resolve();
    if (!from || !to) {
      (from ? toBox : fromBox).input.focus();
      return;
    }
    if (from === to) {
      toBox.invalid(say("same_stops"));
      toBox.input.focus();
      return;
    }
    const at = `${form.elements.date.value}T${form.elements.time.value || "00:00"}`;
    const rider = form.elements.rider ? form.elements.rider.value : "";
    const query = new URLSearchParams({from, to, at});
    if (rider) query.set("rider", rider);
    status.textContent = say("searching");
    results.setAttribute("aria-busy", "true");
    try {
      const body = await fb.api("/api/v1/journeys?" + query.toString());
      lastSearch = {rider: rider || null};
      optionsList.replaceChildren(...body.options.map(optionItem));
      results.hidden = body.options.length === 0;
      const count = body.options.length;
      status.textContent = count === 0 ? say("none_found") : count === 1 ? say("found_one") : say("found", {count});
      if (count > 0) heading.focus();
    } catch (failure) {
      results.hidden = true;
      status.textContent = "";
      showError(say(SEARCH_ERRORS[failure.code] || "failed"));
      errorBox.focus();
    } finally {
      results.removeAttribute("aria-busy");
    }
  });

  /* --- choosing an option: the order, then the guest token to this browser's session ------------ */
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function order(option, button) {
    button.disabled = true;
    errorBox.hidden = true;
    status.textContent = say("ordering");
    const email = form.elements.email ? form.elements.email.value.trim() : "";
    try {
      const created = await fb.api("/api/v1/orders", {method: "POST", headers: {"Idempotency-Key": newKey()},
        json: {legs: option.legs, rider_category: lastSearch.rider, email: email || null}});
      await fb.api(data.access.replace("ORDER_ID", encodeURIComponent(created.id)),
        {method: "POST", json: {access_token: created.access_token}});
      window.location.assign(data.checkout.replace("ORDER_ID", encodeURIComponent(created.id)));
    } catch (failure) {
      button.disabled = false;
      status.textContent = "";
      const known = {validation_failed: "departed", invalid_request: "check_email"}[failure.code];
      showError(known ? say(known) : say("order_failed", {message: failure.message}));
      errorBox.focus();
    }
  }
})();
