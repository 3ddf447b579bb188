// Translator page, Chat Tester tab: posts the form to /api/translator/send and shows the cycle
// live as its server-sent events arrive (the panels and their labels come from the server's
// HTML). Without JavaScript the form posts normally and the page shows the finished cycle.
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      return text;
    }
  }

  function field(root, name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function setText(root, name, text) {
    var node = field(root, name);
    if (node) node.textContent = text == null ? "" : String(text);
  }

  function show(cycle, panel) {
    var node = cycle.querySelector('[data-panel="' + panel + '"]');
    if (node) node.hidden = false;
    return node;
  }

  function reset(cycle) {
    cycle.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = true;
    });
    ["inbound-path", "inbound-body", "exchanges", "chain", "reply-status", "reply-headers",
     "response"].forEach(function (name) {
      var node = field(cycle, name);
      if (node) node.textContent = "";
    });
    cycle.querySelectorAll('[data-field^="routing-"]').forEach(function (node) {
      node.textContent = "";
    });
  }

  function exchangeNode(cycle, number) {
    return cycle.querySelector('[data-exchange="' + number + '"]');
  }

  var handlers = {
    inbound: function (cycle, data) {
      show(cycle, "inbound");
      setText(cycle, "inbound-path", "POST " + data.path);
      setText(cycle, "inbound-body", JSON.stringify(data.body, null, 2));
    },
    upstream_request: function (cycle, data) {
      var panel = show(cycle, "upstream");
      var template = document.getElementById("exchange-template");
      var node = template.content.firstElementChild.cloneNode(true);
      node.setAttribute("data-exchange", data.number);
      setText(node, "number", data.number);
      setText(node, "provider", data.provider);
      setText(node, "url", data.method + " " + data.url);
      setText(node, "headers", JSON.stringify(data.headers, null, 2));
      setText(node, "body", pretty(data.body));
      field(panel, "exchanges").appendChild(node);
    },
    upstream_response: function (cycle, data) {
      var node = exchangeNode(cycle, data.number);
      if (!node) return;
      setText(node, "status", data.status || data.error || "");
      setText(node, "ms", data.ms == null ? "" : data.ms + " ms");
      setText(node, "response-headers", JSON.stringify(data.headers || {}, null, 2));
    },
    upstream_chunk: function (cycle, data) {
      var node = exchangeNode(cycle, data.number);
      if (node) field(node, "response-body").textContent += data.text;
    },
    reply: function (cycle, data) {
      show(cycle, "response");
      setText(cycle, "reply-status", data.status);
      var names = Object.keys(data.headers).filter(function (name) {
        return name.indexOf("X-OmniRoute") === 0;
      });
      setText(cycle, "reply-headers", names.map(function (name) {
        return name + ": " + data.headers[name];
      }).join(" · "));
    },
    response_chunk: function (cycle, data) {
      show(cycle, "response");
      field(cycle, "response").textContent += data.text;
    },
    done: function (cycle, data) {
      var routing = data.routing || {};
      show(cycle, "routing");
      Object.keys(routing).forEach(function (key) {
        var value = routing[key];
        if (value === null || typeof value !== "object") setText(cycle, "routing-" + key, value);
      });
      var combo = routing.combo;
      setText(cycle, "routing-combo", combo
        ? combo.name + " (" + combo.strategy + "): " + combo.targets.join(" → ") : "—");
      setText(cycle, "routing-latencyMs",
        routing.latencyMs == null ? "" : Math.round(routing.latencyMs) + " ms");
      setText(cycle, "routing-tokens",
        (routing.promptTokens || 0) + " / " + (routing.completionTokens || 0));
      var body = field(cycle, "chain");
      var template = document.getElementById("chain-row-template");
      (routing.chain || []).forEach(function (step, index) {
        var row = template.content.firstElementChild.cloneNode(true);
        var cells = row.children;
        [index + 1, step.provider, step.account, step.model, step.status, step.ms + " ms",
         step.error || ""].forEach(function (value, i) { cells[i].textContent = value; });
        if ((step.status || 0) >= 400) row.className = "row-error";
        body.appendChild(row);
      });
      if (!field(cycle, "response").textContent) setText(cycle, "response", data.response);
    }
  };

  function parseEvent(block, onEvent) {
    var name = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) name = line.slice(7);
      else if (line.indexOf("data: ") === 0) data.push(line.slice(6));
    });
    if (data.length) onEvent(name, JSON.parse(data.join("\n")));
  }

  function readEvents(reader, onEvent) {
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) return;
        buffer += decoder.decode(step.value, { stream: true });
        var blocks = buffer.split("\n\n");
        buffer = blocks.pop();
        blocks.forEach(function (block) { parseEvent(block, onEvent); });
        return pump();
      });
    }
    return pump();
  }

  function send(form) {
    var data = new FormData(form);
    var cycle = document.getElementById("chat-cycle");
    var problem = form.querySelector("[data-chat-error]");
    problem.hidden = true;
    reset(cycle);
    form.classList.add("htmx-request");
    var body = {
      model: data.get("model"),
      format: data.get("format"),
      message: data.get("message"),
      system: data.get("system"),
      stream: data.get("stream") === "on"
    };
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (answer) {
          throw new Error(answer.error ? answer.error.message : String(response.status));
        });
      }
      return readEvents(response.body.getReader(), function (name, payload) {
        if (name === "error") throw new Error(payload.message);
        if (handlers[name]) handlers[name](cycle, payload);
      });
    }).catch(function (error) {
      problem.textContent = error.message;
      problem.hidden = false;
    }).then(function () {
      form.classList.remove("htmx-request");
    });
  }

  var chatForm = document.getElementById("chat-form");
  if (chatForm && window.fetch && window.TextDecoder && window.ReadableStream) {
    chatForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send(chatForm);
    });
  }
})();
