import ControlAPIClient
import Hummingbird
import MarketCore

/// `GET /v1/quotes/{symbol}` and `GET /v1/quotes?symbols=A,B`.
extension ControlAPIBuilder {
  func addQuoteRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/v1/quotes/{symbol}") { [core] _, context in
      let symbol = try parseSymbol(try context.pathParameter("symbol"))
      do throws(ReadError) {
        return JSONBody.response(QuoteBody(try await core.quote(symbol)))
      } catch {
        throw APIError(error)
      }
    }

    routes.on(.get, "/v1/quotes") { [core, configuration] request, _ in
      guard let list = request.uri.queryParameters["symbols"] else {
        throw APIError.badRequest("missing_symbols", "give the symbols to quote: /v1/quotes?symbols=AAPL,MSFT")
      }
      let requested = try symbolList(list, maximumLength: configuration.maximumSymbolListLength)
      guard !requested.isEmpty else {
        throw APIError.badRequest("missing_symbols", "give the symbols to quote: /v1/quotes?symbols=AAPL,MSFT")
      }
      guard requested.count <= configuration.maximumBatchSymbols else {
        throw APIError.badRequest(
          "too_many_symbols", "at most \(configuration.maximumBatchSymbols) symbols per request; got \(requested.count)")
      }
      // Parse first so every symbol, valid or not, is answered in the order asked.
      var parsed: [(text: Substring, symbol: Result<Symbol, SymbolError>)] = []
      var seen = Set<Substring>()
      for text in requested where seen.insert(text).inserted {
        parsed.append((text, Result { () throws(SymbolError) in try Symbol(validating: text) }))
      }
      let symbols = parsed.compactMap { try? $0.symbol.get() }
      let results = symbols.isEmpty ? [:] : await core.quotes(symbols)
      var body = BatchQuotesBody(quotes: [], errors: [])
      var answered = Set<Symbol>()
      for (text, parse) in parsed {
        switch parse {
        case .failure(let error):
          let quoteError = ReadError.invalidSymbol(error)
          body.errors.append(
            SymbolErrorBody(
              symbol: printableExcerpt(text),
              error: ErrorDetail(errorClass: quoteError.errorClass, message: quoteError.description)))
        case .success(let symbol):
          guard answered.insert(symbol).inserted else { continue }
          switch results[symbol] {
          case .success(let served)?: body.quotes.append(QuoteBody(served))
          case .failure(let error)?:
            body.errors.append(
              SymbolErrorBody(symbol: symbol.text, error: ErrorDetail(errorClass: error.errorClass, message: error.description)))
          case nil:
            let error = ReadError.cancelled
            body.errors.append(
              SymbolErrorBody(symbol: symbol.text, error: ErrorDetail(errorClass: error.errorClass, message: error.description)))
          }
        }
      }
      return JSONBody.response(body)
    }
  }
}

extension Substring {
  func trimmingSpaces() -> Substring {
    var slice = self
    while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
    while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
    return slice
  }
}
