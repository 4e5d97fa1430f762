import ControlAPIClient
import Foundation
import HTTPTypes
import Hummingbird
import MarketCore
import NIOCore

/// `GET /v1/history/{symbol}?interval=&range=` (or `from`/`to`) and `GET /v1/profiles/{symbol}`.
///
/// A series answers as one JSON document by default; with `Accept: application/x-ndjson` as
/// a header object then one bar per line, and with `Accept: text/csv` as CSV. Those two are
/// streamed block by block from the core (memory, then the tiers, then providers), so a series
/// of a million bars never sits in memory whole.
extension ControlAPIBuilder {
  /// Bars a JSON document may hold; longer series are for the streamed forms.
  static let maximumJSONBars = 200_000

  func addHistoryRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/v1/history/{symbol}") { [core] request, context in
      let history = try HistoryQuery(symbol: try context.pathParameter("symbol"), request.uri.queryParameters).request
      switch HistoryFormat(accept: request.headers[.accept]) {
      case .json:
        let served: Served<HistorySeries>
        do throws(ReadError) {
          served = try await core.history(history)
        } catch {
          throw APIError(error)
        }
        guard served.value.bars.count <= Self.maximumJSONBars else {
          throw APIError(
            .contentTooLarge, "series_too_long",
            "\(served.value.bars.count) bars is more than one JSON document holds (\(Self.maximumJSONBars)); "
              + "ask with Accept: application/x-ndjson or text/csv, which stream")
        }
        var writer = JSONWriter(capacity: 256 + served.value.bars.count * 96)
        HistoryWriting.document(served, into: &writer)
        return Response(
          status: .ok, headers: [.contentType: JSONBody.contentType], body: ResponseBody(byteBuffer: writer.takeBuffer()))
      case .ndjson, .csv:
        return try await streamed(history, format: HistoryFormat(accept: request.headers[.accept]))
      }
    }

    routes.on(.get, "/v1/profiles/{symbol}") { [core] _, context in
      let symbol = try parseSymbol(try context.pathParameter("symbol"))
      do throws(ReadError) {
        return JSONBody.response(ProfileBody(try await core.profile(symbol)))
      } catch {
        throw APIError(error)
      }
    }
  }

  /// The first block is read before the answer starts, so a series that cannot be served is
  /// an error status, not a 200 cut short; a block that fails later ends the stream (NDJSON
  /// with an error line; CSV by closing the connection early, which a client sees as a
  /// truncated body).
  private func streamed(_ history: HistoryRequest, format: HistoryFormat) async throws -> Response {
    let core = self.core
    let (from, to) = core.bounds(of: history)
    let blocks = HistoryBlock.covering(history.symbol, history.interval, from: from, to: to)
    guard let first = blocks.first else {
      throw APIError.badRequest("invalid_window", "the window holds no time")
    }
    let head: Served<BarBlock>
    do throws(ReadError) {
      head = try await core.historyBlock(first)
    } catch {
      throw APIError(error)
    }
    let contentType = format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
    return Response(
      status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache", Self.accelBuffering: "no"],
      body: ResponseBody { output in
        var writer = JSONWriter(capacity: 64 << 10)
        if format == .csv {
          writer.raw(HistoryWriting.csvHeader)
        } else {
          HistoryWriting.header(history, from: from, to: to, first: head, into: &writer)
          writer.newline()
        }
        do {
          // Formatting a long series is heavy and nobody waits on each bar: it runs on the
          // bulk thread so quote reads keep the cooperative pool.
          try await withTaskExecutorPreference(BulkWorkExecutor.shared) {
            try await core.historyBlocks(history) { _, bars in
              for bar in bars {
                if format == .csv {
                  HistoryWriting.csvRow(bar, daily: !history.interval.isIntraday, into: &writer)
                } else {
                  HistoryWriting.bar(bar, daily: !history.interval.isIntraday, into: &writer)
                  writer.newline()
                }
                if writer.count >= 60 << 10 { try await output.write(writer.takeBuffer()) }
              }
            }
          }
        } catch let error as ReadError where format == .ndjson {
          writer.beginObject()
          writer.key("\"error\":")
          writer.beginObject()
          writer.key("\"class\":")
          writer.value(error.errorClass)
          writer.key("\"message\":")
          writer.value(error.description)
          writer.endObject()
          writer.endObject()
          writer.newline()
        }
        if writer.count > 0 { try await output.write(writer.takeBuffer()) }
        try await output.finish(nil)
      })
  }
}

/// The three forms a series is served in, by the request's `Accept`.
enum HistoryFormat: Equatable {
  case json, ndjson, csv

  init(accept: String?) {
    let accept = accept?.lowercased() ?? ""
    if accept.contains("application/x-ndjson") || accept.contains("application/jsonl") {
      self = .ndjson
    } else if accept.contains("text/csv") {
      self = .csv
    } else {
      self = .json
    }
  }
}

/// The query of a history request, checked: `interval` (default `1d`), and `range` (default
/// `1y`) or both `from` and `to` as `YYYY-MM-DD`.
struct HistoryQuery {
  let request: HistoryRequest

  init(symbol text: String, _ query: Parameters) throws {
    let symbol = try parseSymbol(text)
    do throws(HistoryRequestError) {
      request = try HistoryRequest(
        symbol: symbol, interval: query["interval"].map(String.init), range: query["range"].map(String.init),
        from: query["from"].map(String.init), to: query["to"].map(String.init))
    } catch {
      throw APIError(error)
    }
  }
}

extension APIError {
  init(_ error: HistoryRequestError) {
    self.init(.badRequest, error.errorClass, error.description)
  }
}

/// How bars and series are written, in one place for the three forms (and for
/// `lianyaohu history`, which prints the same documents).
public enum HistoryWriting {
  /// A whole series as the JSON document `GET /v1/history/{symbol}` answers.
  public static func document(_ served: Served<HistorySeries>) -> String {
    var writer = JSONWriter(capacity: 256 + served.value.bars.count * 96)
    document(served, into: &writer)
    return String(buffer: writer.takeBuffer())
  }

  /// A whole series as the CSV `GET /v1/history/{symbol}` streams with `Accept: text/csv`.
  public static func csv(_ series: HistorySeries) -> String {
    var writer = JSONWriter(capacity: 64 + series.bars.count * 64)
    writer.raw(csvHeader)
    for bar in series.bars { csvRow(bar, daily: !series.interval.isIntraday, into: &writer) }
    return String(buffer: writer.takeBuffer())
  }

  static let csvHeader: StaticString = "time,open,high,low,close,adj_close,volume\n"

  static func document(_ served: Served<HistorySeries>, into writer: inout JSONWriter) {
    let series = served.value
    writer.beginObject()
    writer.key("\"age_seconds\":")
    writer.value(max(0, served.age.seconds))
    writer.key("\"bars\":")
    writer.beginArray()
    for bar in series.bars { self.bar(bar, daily: !series.interval.isIntraday, into: &writer) }
    writer.endArray()
    if let currency = series.currency {
      writer.key("\"currency\":")
      writer.value(currency)
    }
    if let zone = series.exchangeTimeZone {
      writer.key("\"exchange_time_zone\":")
      writer.value(zone)
    }
    writer.key("\"from\":")
    writer.value(Date(timeIntervalSince1970: TimeInterval(series.from)))
    writer.key("\"gaps\":")
    writer.beginArray()
    for gap in series.gaps {
      writer.beginObject()
      writer.key("\"after\":")
      time(gap.after, daily: !series.interval.isIntraday, into: &writer)
      writer.key("\"before\":")
      time(gap.before, daily: !series.interval.isIntraday, into: &writer)
      writer.endObject()
    }
    writer.endArray()
    writer.key("\"interval\":")
    writer.value(series.interval.rawValue)
    writer.key("\"origin\":")
    writer.value(served.origin.rawValue)
    writer.key("\"received_at\":")
    writer.value(series.receivedAt)
    writer.key("\"simulated\":")
    writer.value(series.isSimulated)
    writer.key("\"source\":")
    writer.value(series.source.name)
    writer.key("\"sources\":")
    writer.beginArray()
    for source in series.sources { writer.value(source.name) }
    writer.endArray()
    writer.key("\"stale\":")
    writer.value(served.isStale)
    writer.key("\"symbol\":")
    writer.value(series.symbol.text)
    writer.key("\"to\":")
    writer.value(Date(timeIntervalSince1970: TimeInterval(series.to)))
    writer.endObject()
  }

  /// The streamed form's first line: what the series is, from its first block.
  static func header(
    _ request: HistoryRequest, from: Int64, to: Int64, first: Served<BarBlock>, into writer: inout JSONWriter
  ) {
    writer.beginObject()
    writer.key("\"age_seconds\":")
    writer.value(max(0, first.age.seconds))
    if let currency = first.value.currency {
      writer.key("\"currency\":")
      writer.value(currency)
    }
    if let zone = first.value.exchangeTimeZone {
      writer.key("\"exchange_time_zone\":")
      writer.value(zone)
    }
    writer.key("\"from\":")
    writer.value(Date(timeIntervalSince1970: TimeInterval(from)))
    writer.key("\"interval\":")
    writer.value(request.interval.rawValue)
    writer.key("\"simulated\":")
    writer.value(first.value.isSimulated)
    writer.key("\"source\":")
    writer.value(first.value.source.name)
    writer.key("\"symbol\":")
    writer.value(request.symbol.text)
    writer.key("\"to\":")
    writer.value(Date(timeIntervalSince1970: TimeInterval(to)))
    writer.endObject()
  }

  static func bar(_ bar: Bar, daily: Bool, into writer: inout JSONWriter) {
    writer.beginObject()
    if let adjusted = bar.adjustedClose {
      writer.key("\"adj_close\":")
      writer.value(adjusted)
    }
    writer.key("\"close\":")
    writer.value(bar.close)
    writer.key("\"high\":")
    writer.value(bar.high)
    writer.key("\"low\":")
    writer.value(bar.low)
    writer.key("\"open\":")
    writer.value(bar.open)
    writer.key("\"time\":")
    time(bar.start, daily: daily, into: &writer)
    if let volume = bar.volume {
      writer.key("\"volume\":")
      writer.value(volume)
    }
    writer.endObject()
  }

  static func csvRow(_ bar: Bar, daily: Bool, into writer: inout JSONWriter) {
    if daily { writer.unquotedDay(bar.start) } else { writer.unquotedInstant(bar.start) }
    for value in [bar.open, bar.high, bar.low, bar.close] {
      writer.comma()
      writer.unseparated(value)
    }
    writer.comma()
    writer.unseparated(bar.adjustedClose)
    writer.comma()
    writer.unseparated(bar.volume)
    writer.raw("\n")
  }

  /// A daily bar's calendar date; an intraday bar's UTC instant.
  static func time(_ start: Int64, daily: Bool, into writer: inout JSONWriter) {
    if daily { writer.day(start) } else { writer.value(Date(timeIntervalSince1970: TimeInterval(start))) }
  }
}
