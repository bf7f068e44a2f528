// The API docs page: fetches the OpenAPI document and lists its operations, their
// parameters, bodies and answers. Text only (textContent): nothing from the document runs.
"use strict";
(function () {
  const root = document.getElementById("docs");
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  const refName = (schema) => (schema && schema.$ref ? schema.$ref.split("/").pop() : "");
  const typeOf = (schema) => {
    if (!schema) return "";
    if (schema.$ref) return refName(schema);
    if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
    if (schema.enum) return schema.enum.join(" | ");
    if (schema.type === "array") return typeOf(schema.items) + "[]";
    return schema.format ? schema.type + " (" + schema.format + ")" : schema.type || "";
  };
  const fieldsTable = (schema) => {
    const table = el("table");
    const head = el("tr");
    ["field", "type", "about"].forEach((h) => head.appendChild(el("th", h)));
    table.appendChild(head);
    Object.entries(schema.properties || {}).forEach(([name, prop]) => {
      const row = el("tr");
      row.appendChild(el("td", name, "path"));
      row.appendChild(el("td", typeOf(prop)));
      const limits = ["minimum", "maximum", "pattern", "maxLength"]
        .filter((k) => prop[k] !== undefined).map((k) => k + " " + prop[k]).join(", ");
      row.appendChild(el("td", [prop.description || "", limits].filter(Boolean).join(" · ")));
      table.appendChild(row);
    });
    return table;
  };
  const operation = (path, method, op, schemas) => {
    const box = el("section", undefined, "op");
    const title = el("h3");
    title.appendChild(el("span", method, "method"));
    title.appendChild(el("span", path, "path"));
    box.appendChild(title);
    if (op.summary) box.appendChild(el("p", op.summary));
    (op.parameters || []).forEach((p) => {
      box.appendChild(el("p", p.in + " " + p.name + ": " + typeOf(p.schema) + (p.required ? " (required)" : "")));
    });
    const body = op.requestBody && op.requestBody.content;
    if (body) {
      Object.entries(body).forEach(([type, media]) => {
        box.appendChild(el("h4", "Body: " + type));
        box.appendChild(fieldsTable(media.schema));
      });
    }
    box.appendChild(el("h4", "Answers"));
    Object.entries(op.responses || {}).forEach(([status, answer]) => {
      const content = answer.content ? Object.values(answer.content)[0] : null;
      const name = content ? refName(content.schema) : "";
      const line = el("p", status + " " + (answer.description || "") + (name ? " → " + name : ""));
      line.id = "status-" + status;
      box.appendChild(line);
    });
    return box;
  };
  fetch(root.dataset.spec).then((r) => r.json()).then((spec) => {
    root.replaceChildren(el("h1", spec.info.title), el("p", spec.info.description));
    Object.entries(spec.paths).forEach(([path, item]) => {
      Object.entries(item).forEach(([method, op]) => root.appendChild(operation(path, method, op)));
    });
    root.appendChild(el("h2", "Schemas"));
    Object.entries(spec.components.schemas).forEach(([name, schema]) => {
      root.appendChild(el("h3", name));
      root.appendChild(fieldsTable(schema));
    });
  }).catch(() => root.appendChild(el("p", "The OpenAPI document could not be loaded.")));
})();
