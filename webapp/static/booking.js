/* Booking: stop suggestions (an ARIA 1.2 combobox), the journey search, the options as a time/price
 * trade-off with earlier/later searches, choosing an option.
 *
 * API calls per search: one GET /api/v1/stops per stop field (debounced, answers cached) and one
 * GET /api/v1/journeys, whose options come priced: at most three; "Earlier" and "Later" are one more
 * GET /api/v1/journeys each. Every text comes from the page (#booking-data, translated on the server).
 * Checkout and the ticket are server-rendered pages.
 *
 * The pure parts (the trade-off between options, the times of the earlier and later searches) are
 * fb.booking.tradeOffs, fb.booking.earlierTime and fb.booking.laterTime: plain numbers in, plain answer out.
 */
"use strict";
(function () {
  const DEBOUNCE_MS = 250;
  const MIN_CHARS = 2;
  const MINUTE_MS = 60000;
  /* "Earlier" asks for the journeys that leave in a stretch of time before the first shown departure. The planner's
   * own search window is not part of its answer, so the stretch is as long as the one the shown options cover
   * (from the time searched to the last shown departure), and at least an hour: a page of results that are
   * "earlier" covers at least as much time as the current page and ends where it begins. Never before now: a
   * journey that has left cannot be booked (and when the first shown one leaves now, "Earlier" is off). */
  const EARLIER_MIN_WINDOW_MS = 60 * MINUTE_MS;

  /* --- the trade-off between the options (pure) ------------------------------------------------
   * options: [{criteria: ["fastest", ...], departure: ms, arrival: ms, transfers: n, priceMinor: n | null,
   *            currency: "EUR" | null}], in the order shown.
   * Answer, one per option: {fastest: bool, cheapest: bool, versusFastest: comparison | null,
   *                          versusCheapest: comparison | null}, where a comparison is
   *   {arrivalMinutes: this arrival - the other's, in whole minutes (positive: later),
   *    sameDeparture: both leave at the same minute (then "slower"/"faster"; otherwise the arrivals are compared),
   *    priceMinor: this price - the other's (null when one is unpriced or the currencies differ),
   *    transfers: this option's transfers - the other's}.
   * The fastest is the option the planner labels "fastest" (earliest arrival, then fewest transfers, then price, if
   * several are); without a label, the earliest arrival. The cheapest likewise with "cheapest" and the lowest
   * price (then earliest arrival); none when nothing is priced. Every option but the fastest is compared with the
   * fastest, every option but the cheapest with the cheapest; when one option is both, only with it. */
  function tradeOffs(options) {
    const priced = (o) => o.priceMinor !== null && o.priceMinor !== undefined;
    const byArrival = (a, b) => a.arrival - b.arrival || a.transfers - b.transfers
      || (priced(a) && priced(b) ? a.priceMinor - b.priceMinor : 0);
    const byPrice = (a, b) => a.priceMinor - b.priceMinor || a.arrival - b.arrival || a.transfers - b.transfers;
    const pick = (candidates, order) => candidates.length ? [...candidates].sort(order)[0] : null;
    const labelled = (name) => options.filter((o) => (o.criteria || []).includes(name));
    const fastest = pick(labelled("fastest"), byArrival) || pick(options, byArrival);
    const cheapest = pick(labelled("cheapest").filter(priced), byPrice) || pick(options.filter(priced), byPrice);
    const compare = (option, other) => ({
      arrivalMinutes: Math.round((option.arrival - other.arrival) / MINUTE_MS),
      sameDeparture: Math.floor(option.departure / MINUTE_MS) === Math.floor(other.departure / MINUTE_MS),
      priceMinor: priced(option) && priced(other) && option.currency === other.currency
        ? option.priceMinor - other.priceMinor : null,
      transfers: option.transfers - other.transfers,
    });
    return options.map((option) => ({
      fastest: option === fastest,
      cheapest: option === cheapest,
      versusFastest: fastest && option !== fastest ? compare(option, fastest) : null,
      versusCheapest: cheapest && option !== cheapest && cheapest !== fastest ? compare(option, cheapest) : null,
    }));
  }

  /* The time (ms) to search from for later journeys: a minute after the last shown departure, on the minute. */
  function laterTime(lastDeparture) {
    return Math.floor((lastDeparture + MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  }

  /* The time (ms) to search from for earlier journeys (see EARLIER_MIN_WINDOW_MS), or null when nothing earlier can
   * still be booked. searchedAt: the time the shown options were searched from; now: the clock. */
  function earlierTime({searchedAt, firstDeparture, lastDeparture, now}) {
    const window = Math.max(EARLIER_MIN_WINDOW_MS, lastDeparture - searchedAt);
    const at = Math.floor(Math.max(firstDeparture - window, Math.ceil(now / MINUTE_MS) * MINUTE_MS) / MINUTE_MS)
      * MINUTE_MS;
    return at < Math.floor(firstDeparture / MINUTE_MS) * MINUTE_MS ? at : null;
  }

  window.fb.booking = {tradeOffs, laterTime, earlierTime};

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
  const resultsWindow = document.getElementById("results-window");
  const earlierButton = document.getElementById("earlier");
  const laterButton = document.getElementById("later");
  let lastSearch = null;  /* {from, to, rider, at (ms, as the API answered it), options} of the results shown */
  let searches = 0;       /* only the answer to the latest search is shown */
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

  /* The date and time (the form's fields, the API's "at") of a moment, on the network's clock. */
  function localMoment(ms) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {timeZone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]));
    return {date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`};
  }

  function distanceText(metres) {
    const lang = fb.lang();
    if (metres >= 1000) {
      return new Intl.NumberFormat(lang, {style: "unit", unit: "kilometer", maximumFractionDigits: 1}).format(metres / 1000);
    }
    const rounded = metres >= 100 ? Math.round(metres / 10) * 10 : Math.round(metres);
    return new Intl.NumberFormat(lang, {style: "unit", unit: "meter", maximumFractionDigits: 0}).format(rounded);
  }

  function legMinutes(leg) {
    return Math.max(0, Math.round((Date.parse(leg.arrival) - Date.parse(leg.departure)) / MINUTE_MS));
  }

  function legStops(leg) {
    return el("span", {class: "leg-stops"},
      el("span", {class: "leg-stop"}, el("time", {datetime: leg.departure, text: clock(leg.departure)}), " " + leg.from_stop_name),
      el("span", {class: "leg-stop"}, el("time", {datetime: leg.arrival, text: clock(leg.arrival)}), " " + leg.to_stop_name));
  }

  function legItem(leg) {
    const mode = say("mode_" + leg.mode);
    if (leg.mode === "walk" || !leg.route_id) {  /* a walk: its length (when the planner gives it) and its minutes */
      const length = typeof leg.distance_m === "number" ? distanceText(leg.distance_m) : null;
      const detail = [length, minutes(legMinutes(leg))].filter(Boolean).join(" · ");
      return el("li", {class: "leg leg-walk"},
        el("span", {class: "leg-line"}, mode, " ", el("span", {class: "leg-detail", text: detail})),
        legStops(leg));
    }
    const operator = leg.operator_id ? (data.operators[leg.operator_id] || leg.operator_id) : null;
    const line = leg.route_name ? `${mode} ${leg.route_name}` : mode;
    return el("li", {class: "leg"},
      el("span", {class: "leg-line"}, line,
        leg.headsign ? el("span", {class: "leg-detail leg-headsign", text: " " + say("towards", {headsign: leg.headsign})})
          : null),
      operator ? el("span", {class: "leg-operator", text: operator}) : null,
      legStops(leg));
  }

  function sharesTable(price) {
    const rows = price.operators.map((share) => el("tr", {},
      el("td", {}, `${data.operators[share.operator_id] || share.operator_id} `,
        el("span", {class: "muted", text: `(${share.operator_id})`})),
      el("td", {class: "amount", text: fb.money(share.amount_minor, price.currency)})));
    return el("table", {class: "shares"},
      el("caption", {class: "visually-hidden", text: say("breakdown")}),
      el("thead", {}, el("tr", {}, el("th", {scope: "col", text: say("operator")}),
        el("th", {scope: "col", class: "amount", text: say("share")}))),
      el("tbody", {}, ...rows),
      el("tfoot", {}, el("tr", {}, el("th", {scope: "row", text: say("total")}),
        el("td", {class: "amount total", text: fb.money(price.total_minor, price.currency)}))));
  }

  /* "7 min slower, €1.20 cheaper than the fastest": one comparison of tradeOffs in words. */
  function comparisonText(comparison, against, currency) {
    const parts = [];
    const {arrivalMinutes, sameDeparture, priceMinor, transfers} = comparison;
    if (arrivalMinutes !== 0) {
      const later = arrivalMinutes > 0, count = {minutes: Math.abs(arrivalMinutes)};
      parts.push(sameDeparture ? say(later ? "slower" : "faster", count)
        : say(later ? "arrives_later" : "arrives_earlier", count));
    }
    if (priceMinor !== null && priceMinor !== 0) {
      parts.push(say(priceMinor < 0 ? "cheaper" : "dearer", {amount: fb.money(Math.abs(priceMinor), currency)}));
    }
    if (transfers !== 0) {
      const count = Math.abs(transfers);
      parts.push(count === 1 ? say(transfers < 0 ? "transfer_fewer_one" : "transfer_more_one")
        : say(transfers < 0 ? "transfers_fewer" : "transfers_more", {count}));
    }
    if (parts.length === 0) return say(`same_as_${against}`);
    const sentence = say(priceMinor === 0 ? `than_${against}_same_price` : `than_${against}`,
                         {comparison: parts.join(", ")});
    return sentence.charAt(0).toLocaleUpperCase(fb.lang()) + sentence.slice(1);
  }

  function tradeOffList(tradeOff, currency) {
    const lines = [];
    if (tradeOff.versusFastest) lines.push(comparisonText(tradeOff.versusFastest, "fastest", currency));
    if (tradeOff.versusCheapest) lines.push(comparisonText(tradeOff.versusCheapest, "cheapest", currency));
    if (lines.length === 0) return null;
    return el("ul", {class: "tradeoffs"}, ...lines.map((line) => el("li", {text: line})));
  }

  function optionItem(option, index, tradeOff) {
    const headingId = `option-${index}-heading`;
    const priced = option.price && option.price.total_minor !== null;
    const badges = option.criteria.map((name) => el("span", {class: `badge badge-${name}`, text: say("criterion_" + name)}));
    const choose = el("button", {type: "button", class: "button", id: `option-${index}-choose`,
                                 "aria-describedby": headingId, text: say("choose")});
    choose.disabled = !priced;
    choose.addEventListener("click", () => order(option, choose));
    return el("li", {class: "option"},
      el("article", {"aria-labelledby": headingId},
        el("h3", {id: headingId},
          el("span", {class: "visually-hidden", text: say("option", {number: index + 1}) + ": "}),
          `${clock(option.departure)} – ${clock(option.arrival)}`),
        el("p", {class: "option-summary"},
          `${minutes(option.duration_minutes)} · ${transfersText(option.transfers)} `, ...badges),
        tradeOffList(tradeOff, priced ? option.price.currency : null),
        el("ol", {class: "legs", "aria-label": say("legs")}, ...option.legs.map(legItem)),
        priced ? el("details", {class: "breakdown"}, el("summary", {text: say("breakdown")}), sharesTable(option.price))
          : el("p", {text: say("unpriced")}),
        el("p", {class: "option-action"},
          priced ? el("span", {class: "price", text: fb.money(option.price.total_minor, option.price.currency)}) : null,
          choose)));
  }

  function showOptions(options) {
    const offs = tradeOffs(options.map((option) => ({
      criteria: option.criteria, departure: Date.parse(option.departure), arrival: Date.parse(option.arrival),
      transfers: option.transfers, priceMinor: option.price ? option.price.total_minor : null,
      currency: option.price ? option.price.currency : null})));
    optionsList.replaceChildren(...options.map((option, index) => optionItem(option, index, offs[index])));
  }

  function departures(options) {
    const times = options.map((option) => Date.parse(option.departure));
    return {first: Math.min(...times), last: Math.max(...times)};
  }

  function updatePaging() {
    const {first, last} = departures(lastSearch.options);
    const earlier = earlierTime({searchedAt: lastSearch.at, firstDeparture: first, lastDeparture: last, now: Date.now()});
    earlierButton.disabled = earlier === null;
    laterButton.disabled = false;
    lastSearch.earlier = earlier;
    lastSearch.later = laterTime(last);
    resultsWindow.textContent = say("window", {time: fb.datetime(new Date(lastSearch.at).toISOString())});
  }

  /* One search: the form's, or "earlier"/"later" (which keep the shown results when they fail). */
  async function runSearch(request, kind) {
    const mine = ++searches;
    const query = new URLSearchParams({from: request.from, to: request.to, at: request.at});
    if (request.rider) query.set("rider", request.rider);
    errorBox.hidden = true;
    status.textContent = kind === "form" ? say("searching") : say(`searching_${kind}`);
    results.setAttribute("aria-busy", "true");
    earlierButton.disabled = laterButton.disabled = true;
    const before = lastSearch;
    try {
      const body = await fb.api("/api/v1/journeys?" + query.toString());
      if (mine !== searches) return;
      const count = body.options.length;
      if (count === 0 && kind !== "form") throw new fb.ApiError(404, {error: {code: "no_journey_found"}});
      lastSearch = {from: request.from, to: request.to, rider: request.rider || null, at: Date.parse(body.at),
                    options: body.options};
      if (request.moment) {  /* the form shows the time the shown options were searched from */
        form.elements.date.value = request.moment.date;
        form.elements.time.value = request.moment.time;
      }
      showOptions(body.options);
      results.hidden = count === 0;
      let message = count === 0 ? say("none_found") : count === 1 ? say("found_one") : say("found", {count});
      if (kind === "earlier" && before && departures(body.options).first >= departures(before.options).first) {
        message = say("no_earlier") + " " + message;
      }
      status.textContent = message;
      if (count > 0) {
        updatePaging();
        heading.focus();
      }
    } catch (failure) {
      if (mine !== searches) return;
      status.textContent = "";
      if (kind === "form" || !before) results.hidden = true;
      else updatePaging();  /* the shown options stay, and so do their buttons */
      showError(say(SEARCH_ERRORS[failure.code] || "failed"));
      errorBox.focus();
    } finally {
      if (mine === searches) results.removeAttribute("aria-busy");
    }
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
    await runSearch({from, to, at, rider}, "form");
  });

  /* Earlier and later search again for the shown stops and traveller. */
  function page(kind) {
    if (!lastSearch) return;
    const moment = localMoment(kind === "earlier" ? lastSearch.earlier : lastSearch.later);
    runSearch({from: lastSearch.from, to: lastSearch.to, rider: lastSearch.rider, at: `${moment.date}T${moment.time}`,
               moment}, kind);
  }
  earlierButton.addEventListener("click", () => page("earlier"));
  laterButton.addEventListener("click", () => page("later"));

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
