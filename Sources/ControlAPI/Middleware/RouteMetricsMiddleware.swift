import Hummingbird
import Metrics
import Synchronization

/// Request counts, latency histograms and in-flight gauges per route, method and status.
///
/// Hummingbird's own `MetricsMiddleware` wraps every body in a closure to time the write,
/// which takes the server off its single-write path for buffer bodies; our bodies are
/// buffers built before returning, so the time to a ready response is the time that matters,
/// and recording it here keeps the fast path.
struct RouteMetricsMiddleware: RouterMiddleware {
  typealias Context = APIRequestContext

  let handles = RouteMetricHandles()

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    let start = ContinuousClock.now
    let inFlight = handles.inFlight(request.method)
    inFlight.increment()
    defer { inFlight.decrement() }
    let status: HTTPResponse.Status
    do {
      let response = try await next(request, context)
      status = response.status
      handles.record(route: context.endpointPath, method: request.method, status: status, since: start)
      return response
    } catch {
      status = (error as? any HTTPResponseError)?.status ?? .internalServerError
      handles.record(route: context.endpointPath, method: request.method, status: status, since: start)
      throw error
    }
  }
}

/// swift-metrics handles, made once per label set (a lookup per request costs more than a
/// dictionary read under a lock).
final class RouteMetricHandles: Sendable {
  private struct Key: Hashable {
    var route: String
    var method: HTTPRequest.Method
    var status: Int
  }

  private struct Handles {
    var requests: Counter
    var duration: Timer
    var errors: Counter?
  }

  private let handles = Mutex<[Key: Handles]>([:])
  private let meters = Mutex<[HTTPRequest.Method: Meter]>([:])

  func inFlight(_ method: HTTPRequest.Method) -> Meter {
    meters.withLock { meters in
      if let meter = meters[method] { return meter }
      let meter = Meter(label: APIMetrics.httpRequestsInFlight, dimensions: [("method", method.rawValue)])
      meters[method] = meter
      return meter
    }
  }

  func record(route: String?, method: HTTPRequest.Method, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    // Unmatched paths share one label so clients cannot grow the label set.
    let key = Key(route: route ?? "NotFound", method: method, status: status.code)
    let entry = handles.withLock { handles in
      if let entry = handles[key] { return entry }
      let dimensions = [("route", key.route), ("method", method.rawValue), ("status", String(status.code))]
      let entry = Handles(
        requests: Counter(label: APIMetrics.httpRequests, dimensions: dimensions),
        duration: Timer(label: APIMetrics.httpRequestDuration, dimensions: dimensions),
        errors: status.code >= 400 ? Counter(label: APIMetrics.httpRequestErrors, dimensions: dimensions) : nil)
      handles[key] = entry
      return entry
    }
    entry.requests.increment()
    entry.duration.record(duration: elapsed)
    entry.errors?.increment()
  }
}
