/* Farebridge pages: calls to the JSON API with the page's session, and formatting by the page's language.
 *
 *   const body = await fb.api("/api/v1/orders", {method: "POST", json: {...}});
 *   fb.money(710, "EUR")  ->  "7,10 €" on German pages, "€7.10" on English ones
 *
 * fb.api sends the CSRF token from <meta name="csrf-token"> in the X-CSRFToken header: without it the
 * API does not act as the logged-in user. It throws fb.ApiError (status, code, message, details).
 */
"use strict";
(function (global) {
  const lang = () => document.documentElement.lang || "en";
  const timeZone = () => document.documentElement.dataset.timezone || undefined;  /* the network's, not the browser's */
  const csrfToken = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };
  const exponents = {JPY: 0, KRW: 0, ISK: 0, CLP: 0, BHD: 3, KWD: 3, TND: 3};

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || `HTTP ${status}`);
      this.status = status;
      this.code = error.code || "http_" + status;
      this.details = error.details || body && body.errors || null;
    }
  }

  async function api(path, options = {}) {
    const init = {method: options.method || "GET", headers: {Accept: "application/json", ...(options.headers || {})},
                  credentials: "same-origin"};
    if (init.method !== "GET" && init.method !== "HEAD") init.headers["X-CSRFToken"] = csrfToken();
    if (options.json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      init.body = options.body;  // FormData for uploads: the browser sets the content type
    }
    const response = await fetch(path, init);
    const type = response.headers.get("Content-Type") || "";
    const body = type.includes("application/json") ? await response.json() : null;
    if (!response.ok) throw new ApiError(response.status, body);
    return body === null ? response : body;
  }

  function money(amountMinor, currency) {
    const digits = currency in exponents ? exponents[currency] : 2;
    return new Intl.NumberFormat(lang(), {style: "currency", currency, minimumFractionDigits: digits,
                                          maximumFractionDigits: digits}).format(amountMinor / 10 ** digits);
  }

  function decimalMoney(text, currency) {  /* the API's "7.10" strings */
    const digits = currency in exponents ? exponents[currency] : 2;
    return money(Math.round(Number(text) * 10 ** digits), currency);
  }

  function datetime(iso) {
    return new Intl.DateTimeFormat(lang(), {dateStyle: "medium", timeStyle: "short", timeZone: timeZone()}).format(new Date(iso));
  }

  function date(iso) {
    return new Intl.DateTimeFormat(lang(), {dateStyle: "medium", timeZone: timeZone()}).format(new Date(iso));
  }

  global.fb = {api, ApiError, money, decimalMoney, datetime, date, csrfToken, lang};
})(window);
