import MCP
import MarketCore

extension AgentTool {
  /// `get_profile {symbol}`: what a company, fund or coin is, as `GET /v1/profiles/{symbol}`.
  static let getProfile = AgentTool(
    name: "get_profile", title: "Get a company profile",
    description: """
      What a company, fund or coin is: name, exchange, currency, sector, industry, market cap, shares \
      outstanding, country, website and a short description, each null when no provider knows it. Profiles are \
      kept for a day; the answer says where it came from (source), how old it is (age_seconds) and whether it is \
      stale or simulated. An unknown symbol or failing providers are an error result with a stable class.
      """,
    inputSchema: JSONSchema.object(
      ["symbol": JSONSchema.string("The symbol.", minLength: 1, maxLength: 32)], required: ["symbol"]),
    outputSchema: ProfileFields.schema, changesState: false, idempotent: true
  ) { arguments, context throws(MCPError) in
    let text = try arguments.string("symbol")
    let symbol: Symbol
    do throws(ReadError) {
      symbol = try QuoteReading.symbol(text)
    } catch {
      return .failure(error, symbol: Excerpt.printable(text))
    }
    do throws(ReadError) {
      let served = try await context.core.profile(symbol)
      return ToolAnswer(structured: ProfileFields.value(served), text: ProfileFields.text(served))
    } catch {
      return .failure(error, symbol: symbol.text)
    }
  }
}
