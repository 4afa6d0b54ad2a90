/* A Buddhist-Era month grid for the date fields (input[data-be-date]): Thai month names, BE years, weeks from
 * Sunday. Progressive enhancement only: the field is a text box that reads 31/3/2569 without this script, and the
 * server checks every day typed or picked. No inline style or script (the CSP forbids them): classes and `hidden`.
 */
(function () {
  "use strict";

  var MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];
  var SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
  var WEEKDAYS = ["อา", "จ", "อ", "พ", "พฤ", "ศ", "ส"];
  var WEEKDAY_NAMES = ["อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์"];
  var BE = 543;
  var open = null; // the picker shown now, if any

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function arabic(text) {
    return text.replace(/[๐-๙]/g, function (d) { return String(d.charCodeAt(0) - 0x0E50); });
  }

  function sameDay(a, b) {
    return a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function addDays(day, n) { return new Date(day.getFullYear(), day.getMonth(), day.getDate() + n); }

  function addMonths(day, n) {
    var first = new Date(day.getFullYear(), day.getMonth() + n, 1);
    var last = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate();
    return new Date(first.getFullYear(), first.getMonth(), Math.min(day.getDate(), last));
  }

  /* The day a field holds, read loosely (the server reads it strictly): 31/3/2569, 31 มี.ค. 69; null if none. */
  function read(text) {
    var t = arabic(text || "").trim();
    var m = t.match(/^(\d{1,2})\s*[\/\-.,]\s*(\d{1,2})\s*[\/\-.,]\s*(\d{4}|\d{2})$/);
    var day, month, year;
    if (m) {
      day = +m[1]; month = +m[2] - 1; year = +m[3];
    } else {
      m = t.match(/^(\d{1,2})\s*(\S+?)\s*(\d{4}|\d{2})$/);
      if (!m) { return null; }
      var name = m[2].replace(/[.\s]/g, "");
      month = -1;
      for (var i = 0; i < 12; i++) {
        if (MONTHS[i] === m[2] || SHORT[i].replace(/\./g, "") === name) { month = i; }
      }
      day = +m[1]; year = +m[3];
    }
    if (year < 100) { year += 2500; }
    if (year < 2400 || year > 2700 || month < 0 || month > 11) { return null; }
    var found = new Date(year - BE, month, day);
    return found.getDate() === day ? found : null;
  }

  function write(day) { return pad(day.getDate()) + "/" + pad(day.getMonth() + 1) + "/" + (day.getFullYear() + BE); }

  function spoken(day) {
    return "วัน" + WEEKDAY_NAMES[day.getDay()] + "ที่ " + day.getDate() + " " + MONTHS[day.getMonth()] + " " +
      (day.getFullYear() + BE);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function button(className, text, label) {
    var node = element("button", className, text);
    node.type = "button";
    if (label) { node.setAttribute("aria-label", label); }
    return node;
  }

  function Picker(input, index) {
    this.input = input;
    this.wrap = element("span", "be-date");
    input.parentNode.insertBefore(this.wrap, input);
    this.wrap.appendChild(input);

    var label = document.querySelector("label[for='" + input.id + "']");
    this.toggle = button("be-date-open secondary", "ปฏิทิน",
      "เลือก" + (label ? label.textContent.trim() : "วันที่") + "จากปฏิทิน");
    this.toggle.setAttribute("aria-haspopup", "dialog");
    this.toggle.setAttribute("aria-expanded", "false");
    this.wrap.appendChild(this.toggle);

    this.panel = element("div", "be-picker");
    this.panel.id = (input.id || "be-date-" + index) + "-picker";
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-label", "เลือกวันที่ (ปี พ.ศ.)");
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-controls", this.panel.id);

    var head = element("div", "be-picker-head");
    this.prev = button("be-picker-prev secondary small", "‹", "เดือนก่อน");
    this.next = button("be-picker-next secondary small", "›", "เดือนถัดไป");
    this.title = element("div", "be-picker-title");
    this.title.setAttribute("aria-live", "polite");
    head.appendChild(this.prev);
    head.appendChild(this.title);
    head.appendChild(this.next);
    this.panel.appendChild(head);

    this.grid = element("table", "be-picker-grid");
    this.grid.setAttribute("role", "grid");
    var row = element("tr");
    WEEKDAYS.forEach(function (name, i) {
      var th = element("th", null, name);
      th.setAttribute("scope", "col");
      th.setAttribute("abbr", WEEKDAY_NAMES[i]);
      row.appendChild(th);
    });
    var thead = element("thead");
    thead.appendChild(row);
    this.grid.appendChild(thead);
    this.body = element("tbody");
    this.grid.appendChild(this.body);
    this.panel.appendChild(this.grid);

    var foot = element("div", "be-picker-foot");
    this.todayButton = button("be-picker-today secondary small", "วันนี้");
    this.closeButton = button("be-picker-close secondary small", "ปิด");
    foot.appendChild(this.todayButton);
    foot.appendChild(this.closeButton);
    this.panel.appendChild(foot);
    this.wrap.appendChild(this.panel);

    var self = this;
    this.toggle.addEventListener("click", function () { if (self.panel.hidden) { self.show(); } else { self.hide(true); } });
    this.prev.addEventListener("click", function () { self.move(addMonths(self.focused, -1), false); });
    this.next.addEventListener("click", function () { self.move(addMonths(self.focused, 1), false); });
    this.todayButton.addEventListener("click", function () { self.choose(new Date()); });
    this.closeButton.addEventListener("click", function () { self.hide(true); });
    this.body.addEventListener("click", function (event) {
      var target = event.target.closest("button[data-day]");
      if (target) { self.choose(self.dayOf(target)); }
    });
    this.body.addEventListener("keydown", function (event) { self.key(event); });
    this.body.addEventListener("focusin", function (event) {
      var target = event.target.closest("button[data-day]");
      if (target && !sameDay(self.dayOf(target), self.focused)) { self.focused = self.dayOf(target); self.markFocus(); }
    });
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); self.hide(true); }
    });
  }

  Picker.prototype.dayOf = function (node) {
    var parts = node.getAttribute("data-day").split("-");
    return new Date(+parts[0], +parts[1] - 1, +parts[2]);
  };

  Picker.prototype.show = function () {
    if (open && open !== this) { open.hide(false); }
    this.selected = read(this.input.value);
    this.focused = this.selected || new Date();
    this.render();
    this.panel.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    open = this;
    this.focusDay();
  };

  Picker.prototype.hide = function (returnFocus) {
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    if (open === this) { open = null; }
    if (returnFocus) { this.input.focus(); }
  };

  Picker.prototype.choose = function (day) {
    this.input.value = write(day);
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    this.hide(true);
  };

  Picker.prototype.move = function (day, focus) {
    var redraw = day.getMonth() !== this.focused.getMonth() || day.getFullYear() !== this.focused.getFullYear();
    this.focused = day;
    if (redraw) { this.render(); } else { this.markFocus(); }
    if (focus) { this.focusDay(); }
  };

  Picker.prototype.render = function () {
    var year = this.focused.getFullYear(), month = this.focused.getMonth();
    this.title.textContent = MONTHS[month] + " " + (year + BE);
    while (this.body.firstChild) { this.body.removeChild(this.body.firstChild); }
    var first = new Date(year, month, 1);
    var days = new Date(year, month + 1, 0).getDate();
    var today = new Date();
    var row = element("tr");
    for (var blank = 0; blank < first.getDay(); blank++) { row.appendChild(element("td")); }
    for (var d = 1; d <= days; d++) {
      var day = new Date(year, month, d);
      var cell = element("td");
      var b = button("be-picker-day", String(d), spoken(day));
      b.setAttribute("data-day", year + "-" + (month + 1) + "-" + d);
      if (sameDay(day, this.selected)) { b.setAttribute("aria-pressed", "true"); b.classList.add("selected"); }
      if (sameDay(day, today)) { b.setAttribute("aria-current", "date"); b.classList.add("today"); }
      if (day.getDay() === 0 || day.getDay() === 6) { b.classList.add("weekend"); }
      cell.appendChild(b);
      row.appendChild(cell);
      if (day.getDay() === 6) { this.body.appendChild(row); row = element("tr"); }
    }
    if (row.childNodes.length) { this.body.appendChild(row); }
    this.markFocus();
  };

  /* One day button is in the tab order (the focused one); arrows move between days. */
  Picker.prototype.markFocus = function () {
    var focused = this.focused;
    var self = this;
    Array.prototype.forEach.call(this.body.querySelectorAll("button[data-day]"), function (b) {
      b.tabIndex = sameDay(self.dayOf(b), focused) ? 0 : -1;
    });
  };

  Picker.prototype.focusDay = function () {
    var target = this.body.querySelector("button[tabindex='0']");
    if (target) { target.focus(); }
  };

  Picker.prototype.key = function (event) {
    var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    var day = null;
    if (event.key in steps) {
      day = addDays(this.focused, steps[event.key]);
    } else if (event.key === "PageUp") {
      day = addMonths(this.focused, -1);
    } else if (event.key === "PageDown") {
      day = addMonths(this.focused, 1);
    } else if (event.key === "Home") {
      day = addDays(this.focused, -this.focused.getDay());
    } else if (event.key === "End") {
      day = addDays(this.focused, 6 - this.focused.getDay());
    }
    if (day) {
      event.preventDefault();
      this.move(day, true);
    }
  };

  document.addEventListener("click", function (event) {
    if (open && !open.wrap.contains(event.target)) { open.hide(false); }
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-be-date]"), function (input, i) {
      if (!input.hasAttribute("data-be-date-ready")) {
        input.setAttribute("data-be-date-ready", "");
        new Picker(input, i);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
