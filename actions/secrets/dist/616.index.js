export const id = 616;
export const ids = [616];
export const modules = {

/***/ 7616:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  startOtel: () => (/* binding */ startOtel)
});

// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+core@2.12.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/core/build/src/index.js
var src = __webpack_require__(6448);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+exporter-metrics-otlp-http@0.223.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/exporter-metrics-otlp-http/build/src/index.js
var build_src = __webpack_require__(2568);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+exporter-metrics-otlp-proto@0.223.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/exporter-metrics-otlp-proto/build/src/index.js
var exporter_metrics_otlp_proto_build_src = __webpack_require__(7582);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+exporter-trace-otlp-http@0.223.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/exporter-trace-otlp-http/build/src/index.js
var exporter_trace_otlp_http_build_src = __webpack_require__(7288);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+exporter-trace-otlp-proto@0.223.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/exporter-trace-otlp-proto/build/src/index.js
var exporter_trace_otlp_proto_build_src = __webpack_require__(2982);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+resources@2.12.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/resources/build/src/index.js
var resources_build_src = __webpack_require__(7768);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+sdk-metrics@2.12.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/sdk-metrics/build/src/index.js
var sdk_metrics_build_src = __webpack_require__(9428);
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+sdk-trace-base@2.12.0_@opentelemetry+api@1.9.1/node_modules/@opentelemetry/sdk-trace-base/build/src/index-shim.js
var index_shim = __webpack_require__(3518);
// EXTERNAL MODULE: ../../packages/core/dist/version.js
var version = __webpack_require__(3731);
// EXTERNAL MODULE: ../../packages/core/dist/telemetry/attributes.js
var attributes = __webpack_require__(2146);
// EXTERNAL MODULE: ../../packages/core/dist/telemetry/events.js
var events = __webpack_require__(5178);
;// CONCATENATED MODULE: ../../packages/core/dist/telemetry/calls.js
/**
 * telemetry/calls — turns the run's events into the vault calls they describe: the
 * attempts of one request (first attempt, retries) become one call with its retries;
 * a read, renewal or revocation reported afterwards is matched to its call, so each
 * call knows what it was for. Pure data, no OpenTelemetry code; telemetry/trace.ts
 * makes spans of the result.
 */

/** operationOf classifies an API path. */
function operationOf(path) {
    if (/^auth\/[^/]+(\/.*)?\/login(\/|$)/.test(path))
        return "login";
    if (path === "auth/token/lookup-self")
        return "lookup";
    if (path === "auth/token/renew-self" || path === "sys/leases/renew")
        return "renew";
    if (path === "auth/token/revoke-self" || path === "sys/leases/revoke")
        return "revoke";
    if (path.startsWith("sys/internal/ui/mounts/"))
        return "mount";
    if (path === "sys/capabilities-self")
        return "capabilities";
    if (path === "sys/health")
        return "health";
    return "read";
}
/** errorTypeOf names a failed attempt: its HTTP status or its network error code. */
function errorTypeOf(status, error) {
    if (error)
        return error;
    if (status !== undefined && (status < 200 || status >= 300))
        return String(status);
    return undefined;
}
/** CallLog collects calls from request, retry and outcome events. */
class CallLog {
    calls = [];
    /** Outcome events that matched no call (e.g. a token kept, so never revoked). */
    unmatched = [];
    /** add takes one event; returns the call it touched, if any. */
    add(event) {
        switch (event.type) {
            case "request":
                return this.#attempt(event.at, event.request);
            case "retry": {
                const call = this.#latest((c) => c.path === event.retry.path && c.attempts === event.retry.attempt);
                call?.retries.push({
                    at: event.at,
                    attrs: (0,attributes/* allowed */.TQ)({
                        "vaultgate.retry.attempt": event.retry.attempt + 1,
                        "vaultgate.retry.delay_ms": event.retry.delayMs,
                        "error.type": call.errorType,
                    }),
                });
                return call;
            }
            case "read":
                return this.#match(event, (c) => c.path === event.apiPath && c.operation === "read", {
                    "vaultgate.secret.path": event.path,
                    "vaultgate.secret.kv_version": event.kv,
                    "vaultgate.secret.leased": event.leased,
                    "vaultgate.outcome": event.outcome,
                });
            case "renewal":
                return this.#match(event, (c) => c.operation === "renew" && c.path === renewPath(event.kind), {
                    "vaultgate.lease.kind": event.kind,
                    "vaultgate.outcome": event.ok ? (event.capped ? "capped" : "ok") : "failed",
                    "vaultgate.renewal.capped": event.capped,
                    "vaultgate.renewal.ttl_seconds": event.ttlSeconds,
                });
            case "revocation":
                return this.#match(event, (c) => c.operation === "revoke" && c.path === revokePath(event.kind), {
                    "vaultgate.lease.kind": event.kind,
                    "vaultgate.outcome": event.outcome,
                });
            default:
                return undefined;
        }
    }
    #attempt(at, r) {
        const start = at - r.ms;
        const errorType = errorTypeOf(r.status, r.error);
        const previous = r.attempt > 1 ? this.#latest((c) => c.method === r.method && c.path === r.path && c.attempts === r.attempt - 1) : undefined;
        if (previous) {
            Object.assign(previous, { end: at, attempts: r.attempt, status: r.status, errorType });
            return previous;
        }
        const call = {
            operation: operationOf(r.path),
            method: r.method,
            path: r.path,
            start,
            end: at,
            attempts: r.attempt,
            status: r.status,
            errorType,
            retries: [],
            attrs: {},
            matched: false,
        };
        this.calls.push(call);
        return call;
    }
    #latest(test) {
        for (let i = this.calls.length - 1; i >= 0; i--) {
            const call = this.calls[i];
            if (call && test(call))
                return call;
        }
        return undefined;
    }
    /** #match gives the outcome to the earliest call of its kind that has none yet (calls end before their outcome). */
    #match(event, test, attrs) {
        const call = this.calls.find((c) => !c.matched && c.end <= event.at && test(c));
        if (!call) {
            this.unmatched.push(event);
            return undefined;
        }
        call.matched = true;
        call.attrs = { ...call.attrs, ...(0,attributes/* allowed */.TQ)(attrs) };
        return call;
    }
}
function renewPath(kind) {
    return kind === "token" ? "auth/token/renew-self" : "sys/leases/renew";
}
function revokePath(kind) {
    return kind === "token" ? "auth/token/revoke-self" : "sys/leases/revoke";
}
//# sourceMappingURL=calls.js.map
;// CONCATENATED MODULE: ../../packages/core/dist/telemetry/metrics.js


/** RunMetrics owns the instruments of one run. */
class RunMetrics {
    #requests;
    #duration;
    #retries;
    #renewals;
    #revocations;
    #checks;
    #secrets;
    #command;
    constructor(meter, command) {
        this.#command = command;
        this.#requests = meter.createCounter("vaultgate.vault.requests", {
            description: "HTTP requests to the vault (each attempt), by operation and outcome",
            unit: "{request}",
        });
        this.#duration = meter.createHistogram("vaultgate.vault.request.duration", {
            description: "Duration of each HTTP request to the vault",
            unit: "s",
            advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
        });
        this.#retries = meter.createCounter("vaultgate.vault.retries", {
            description: "Retried vault requests, by operation",
            unit: "{retry}",
        });
        this.#renewals = meter.createCounter("vaultgate.renewals", {
            description: "Token and lease renewals, by kind and outcome (ok, capped, failed)",
            unit: "{renewal}",
        });
        this.#revocations = meter.createCounter("vaultgate.revocations", {
            description: "Token and lease revocations, by kind and outcome",
            unit: "{revocation}",
        });
        this.#checks = meter.createCounter("vaultgate.checks", {
            description: "Pre-deploy gate checks, by kind and status",
            unit: "{check}",
        });
        this.#secrets = meter.createCounter("vaultgate.secrets.read", {
            description: "Secret paths read, by source and outcome",
            unit: "{read}",
        });
    }
    /** record updates the instruments for one event. */
    record(event) {
        const command = this.#command;
        switch (event.type) {
            case "request": {
                const r = event.request;
                const errorType = errorTypeOf(r.status, r.error);
                const attrs = (0,attributes/* allowed */.TQ)({
                    "vaultgate.command": command,
                    "vaultgate.vault.operation": operationOf(r.path),
                    "vaultgate.outcome": errorType ? "error" : "ok",
                    "error.type": errorType,
                });
                this.#requests.add(1, attrs);
                this.#duration.record(r.ms / 1000, attrs);
                break;
            }
            case "retry":
                this.#retries.add(1, (0,attributes/* allowed */.TQ)({ "vaultgate.command": command, "vaultgate.vault.operation": operationOf(event.retry.path) }));
                break;
            case "renewal":
                this.#renewals.add(1, (0,attributes/* allowed */.TQ)({
                    "vaultgate.command": command,
                    "vaultgate.lease.kind": event.kind,
                    "vaultgate.outcome": event.ok ? (event.capped ? "capped" : "ok") : "failed",
                }));
                break;
            case "revocation":
                this.#revocations.add(1, (0,attributes/* allowed */.TQ)({ "vaultgate.command": command, "vaultgate.lease.kind": event.kind, "vaultgate.outcome": event.outcome }));
                break;
            case "check":
                this.#checks.add(1, (0,attributes/* allowed */.TQ)({ "vaultgate.command": command, "vaultgate.check.kind": event.kind, "vaultgate.check.status": event.status }));
                break;
            case "read":
                this.#secrets.add(1, (0,attributes/* allowed */.TQ)({
                    "vaultgate.command": command,
                    "vaultgate.secret.source": sourceOf(event.kv),
                    "vaultgate.outcome": event.outcome,
                }));
                break;
            default:
                break;
        }
    }
}
/** sourceOf names where a read came from: the vault's KV engine (v1, v2) or another engine. */
function sourceOf(kv) {
    return kv === 2 ? "vault.kv2" : kv === 1 ? "vault.kv1" : "vault.engine";
}
//# sourceMappingURL=metrics.js.map
// EXTERNAL MODULE: ../../node_modules/.pnpm/@opentelemetry+api@1.9.1/node_modules/@opentelemetry/api/build/src/index.js
var api_build_src = __webpack_require__(46);
;// CONCATENATED MODULE: ../../packages/core/dist/telemetry/trace.js
/**
 * telemetry/trace — the run's trace: the root span (the command) lives from the start,
 * joining an incoming TRACEPARENT; the child spans (ID-token request, login, mount
 * resolution, each read, renewals, revocations, each gate check) are made from the
 * run's events when it ends, with their real start and end times, retries as span
 * events. Loaded only with telemetry on.
 */




const propagator = new src.W3CTraceContextPropagator();
const carrierGetter = {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
};
/** RunTrace collects one run's events and makes its spans. */
class RunTrace {
    #tracer;
    #root;
    #rootContext;
    #calls = new CallLog();
    #others = [];
    #child;
    #server = {};
    constructor(tracer, command, incoming) {
        this.#tracer = tracer;
        const carrier = {};
        if (incoming.traceparent)
            carrier.traceparent = incoming.traceparent;
        if (incoming.tracestate)
            carrier.tracestate = incoming.tracestate;
        const parent = propagator.extract(api_build_src.ROOT_CONTEXT, carrier, carrierGetter);
        this.#root = tracer.startSpan(`vaultgate ${command}`, { kind: api_build_src.SpanKind.INTERNAL, attributes: (0,attributes/* allowed */.TQ)({ "vaultgate.command": command }) }, parent);
        this.#rootContext = api_build_src.trace.setSpan(parent, this.#root);
    }
    /** add takes one event of the run. */
    add(event) {
        switch (event.type) {
            case "request":
            case "retry":
            case "read":
            case "renewal":
            case "revocation":
                this.#calls.add(event);
                break;
            case "run":
                this.#root.setAttributes((0,attributes/* allowed */.TQ)({ "vaultgate.run.id": event.runId }));
                this.#server = serverOf(event.address);
                break;
            case "login":
                this.#root.setAttributes((0,attributes/* allowed */.TQ)({
                    "vaultgate.auth.method": event.method,
                    "vaultgate.auth.mount": event.mount,
                    "vaultgate.auth.role": event.role,
                    "vaultgate.token.accessor": event.accessor,
                }));
                break;
            case "failure":
                this.#root.setAttributes((0,attributes/* allowed */.TQ)({ "vaultgate.failure": event.error }));
                break;
            default:
                this.#others.push(event);
        }
    }
    /** childEnv starts the span of the command `exec` runs and returns its TRACEPARENT (and TRACESTATE). */
    childEnv() {
        this.#child ??= this.#tracer.startSpan("exec command", { kind: api_build_src.SpanKind.INTERNAL }, this.#rootContext);
        const carrier = {};
        propagator.inject(api_build_src.trace.setSpan(this.#rootContext, this.#child), carrier, {
            set: (c, key, value) => {
                c[key] = value;
            },
        });
        const env = {};
        if (carrier.traceparent)
            env.TRACEPARENT = carrier.traceparent;
        if (carrier.tracestate)
            env.TRACESTATE = carrier.tracestate;
        return env;
    }
    /** childExited ends the command's span. */
    childExited(exitCode) {
        if (!this.#child)
            return;
        this.#child.setAttributes((0,attributes/* allowed */.TQ)({ "vaultgate.exit_code": exitCode }));
        if (exitCode !== 0)
            this.#child.setStatus({ code: api_build_src.SpanStatusCode.ERROR });
        this.#child.end();
        this.#child = undefined;
    }
    /** end makes the child spans and ends the root span. */
    end(exitCode) {
        const server = this.#server;
        this.childExited(exitCode);
        for (const call of this.#calls.calls)
            this.#callSpan(call, server);
        for (const event of [...this.#others, ...this.#calls.unmatched])
            this.#eventSpan(event);
        this.#root.setAttributes((0,attributes/* allowed */.TQ)({ ...server, "vaultgate.exit_code": exitCode, "vaultgate.outcome": exitCode === 0 ? "success" : "failure" }));
        if (exitCode !== 0)
            this.#root.setStatus({ code: api_build_src.SpanStatusCode.ERROR, message: `exit code ${exitCode}` });
        this.#root.end();
    }
    #callSpan(call, server) {
        const span = this.#tracer.startSpan(`vault ${call.operation}`, {
            kind: api_build_src.SpanKind.CLIENT,
            startTime: call.start,
            attributes: {
                ...(0,attributes/* allowed */.TQ)({
                    ...server,
                    "vaultgate.vault.operation": call.operation,
                    "http.request.method": call.method,
                    "http.response.status_code": call.status,
                    "url.path": `/v1/${call.path}`,
                    "error.type": call.errorType,
                    "vaultgate.request.attempts": call.attempts,
                    "vaultgate.secret.path": call.operation === "mount" ? call.path.slice("sys/internal/ui/mounts/".length) : undefined,
                }),
                ...call.attrs,
            },
        }, this.#rootContext);
        for (const retry of call.retries)
            span.addEvent("retry", retry.attrs, retry.at);
        if (call.errorType && !expectedFailure(call))
            span.setStatus({ code: api_build_src.SpanStatusCode.ERROR });
        span.end(call.end);
    }
    #eventSpan(event) {
        let name;
        let attrs;
        let ok;
        let ms;
        switch (event.type) {
            case "id-token":
                name = "id-token";
                attrs = (0,attributes/* allowed */.TQ)({ "vaultgate.id_token.source": event.source, "vaultgate.outcome": event.ok ? "ok" : "failed" });
                ok = event.ok;
                ms = event.ms;
                break;
            case "check":
                name = `check ${event.id}`;
                attrs = (0,attributes/* allowed */.TQ)({
                    "vaultgate.check.id": event.id,
                    "vaultgate.check.kind": event.kind,
                    "vaultgate.check.status": event.status,
                    "vaultgate.check.required": event.required,
                });
                ok = event.status !== "fail" || !event.required;
                ms = event.ms;
                break;
            case "revocation":
                // No request of its own: a token kept (vaultgate did not create it), a lease ended with its token.
                this.#root.addEvent("revocation", (0,attributes/* allowed */.TQ)({ "vaultgate.lease.kind": event.kind, "vaultgate.outcome": event.outcome }), event.at);
                return;
            default:
                return;
        }
        const span = this.#tracer.startSpan(name, { startTime: event.at - ms, attributes: attrs }, this.#rootContext);
        if (!ok)
            span.setStatus({ code: api_build_src.SpanStatusCode.ERROR });
        span.end(event.at);
    }
}
/** expectedFailure: answers that are outcomes, not errors (a lease revocation left to the token, a health answer). */
function expectedFailure(call) {
    return call.attrs["vaultgate.outcome"] === "with-token" || call.operation === "health";
}
/** serverOf is the vault's host and port (never its userinfo). */
function serverOf(address) {
    try {
        const url = new URL(address);
        const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
        return (0,attributes/* allowed */.TQ)({ "server.address": url.hostname, "server.port": port });
    }
    catch {
        return {};
    }
}
//# sourceMappingURL=trace.js.map
;// CONCATENATED MODULE: ../../packages/core/dist/telemetry/otel.js
/**
 * telemetry/otel — the OpenTelemetry SDK behind a run with telemetry on: a tracer and a
 * meter provider exporting OTLP over HTTP (protobuf or JSON), subscribed to the run's
 * events. The end of the run flushes both within the bound (telemetry/settings.ts);
 * an export that fails or takes longer is one warning line and changes nothing else.
 * This module is imported only when telemetry is configured (telemetry/index.ts).
 */













/** startOtel starts the providers and returns the run's telemetry. */
function startOtel(settings, options) {
    const failures = [];
    const onFailure = (what, error) => failures.push(`${what}: ${describe(error)}`);
    const resource = (0,resources_build_src.resourceFromAttributes)({
        ...settings.resource,
        ...(0,attributes/* allowed */.TQ)({ "service.version": version/* VERSION */.x, ...(0,attributes/* ciAttributes */.Gu)(options.platform, options.env) }),
        ...(0,attributes/* allowed */.TQ)({ "service.name": settings.serviceName }),
    });
    const timeoutMillis = settings.timeoutMs;
    let tracerProvider;
    let run;
    if (settings.traces) {
        const exporter = watched(traceExporter(settings.traces, timeoutMillis), (e) => onFailure("traces", e));
        tracerProvider = new index_shim/* BasicTracerProvider */.l({
            resource,
            spanProcessors: [new index_shim/* BatchSpanProcessor */.J(exporter, { exportTimeoutMillis: timeoutMillis, maxExportBatchSize: 1024 })],
        });
        run = new RunTrace(tracerProvider.getTracer("vaultgate", version/* VERSION */.x), options.command, settings);
    }
    let meterProvider;
    let metrics;
    if (settings.metrics) {
        const exporter = watched(metricExporter(settings.metrics, timeoutMillis), (e) => onFailure("metrics", e));
        meterProvider = new sdk_metrics_build_src.MeterProvider({
            resource,
            readers: [
                new sdk_metrics_build_src.PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, exportTimeoutMillis: timeoutMillis }),
            ],
        });
        metrics = new RunMetrics(meterProvider.getMeter("vaultgate", version/* VERSION */.x), options.command);
    }
    const unsubscribe = (0,events/* subscribeRunEvents */.Ll)((event) => {
        run?.add(event);
        metrics?.record(event);
    });
    return {
        enabled: true,
        childEnv: () => run?.childEnv() ?? {},
        childExited: (exitCode) => run?.childExited(exitCode),
        async end(exitCode) {
            unsubscribe();
            run?.end(exitCode);
            let timer;
            const flushed = Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]).then((results) => {
                for (const [i, r] of results.entries())
                    if (r.status === "rejected")
                        onFailure(i === 0 ? "traces" : "metrics", r.reason);
                return true;
            });
            const late = new Promise((resolve) => {
                timer = setTimeout(() => resolve(false), timeoutMillis + 100);
            });
            const inTime = await Promise.race([flushed, late]);
            clearTimeout(timer);
            const target = settings.traces?.url ?? settings.metrics?.url ?? "";
            if (!inTime)
                options.warn(`telemetry: the export to ${origin(target)} took longer than ${timeoutMillis} ms; not waiting for it.`);
            else if (failures.length > 0)
                options.warn(`telemetry: could not export to ${origin(target)} (${failures.join("; ")}).`);
        },
    };
}
function traceExporter(target, timeoutMillis) {
    const config = { url: target.url, headers: target.headers, timeoutMillis };
    return target.protocol === "http/json" ? new exporter_trace_otlp_http_build_src/* OTLPTraceExporter */.Q(config) : new exporter_trace_otlp_proto_build_src/* OTLPTraceExporter */.Q(config);
}
function metricExporter(target, timeoutMillis) {
    const config = { url: target.url, headers: target.headers, timeoutMillis };
    return target.protocol === "http/json" ? new build_src.OTLPMetricExporter(config) : new exporter_metrics_otlp_proto_build_src/* OTLPMetricExporter */.r(config);
}
/** watched reports the exporter's failed exports to `onFailure`. */
function watched(exporter, onFailure) {
    const original = exporter.export.bind(exporter);
    exporter.export = (items, done) => original(items, (result) => {
        if (result.code !== src.ExportResultCode.SUCCESS)
            onFailure(result.error);
        done(result);
    });
    return exporter;
}
/** describe names an export failure in a few words: a network code or the first line of the message. */
function describe(error) {
    const code = error?.code;
    if (typeof code === "string" && code)
        return code;
    if (typeof code === "number")
        return `HTTP ${code}`;
    const message = error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
    const line = message.split("\n")[0] ?? "";
    return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}
/** origin is the URL's scheme, host and port only. */
function origin(url) {
    try {
        return new URL(url).origin;
    }
    catch {
        return "the collector";
    }
}
//# sourceMappingURL=otel.js.map

/***/ })

};
