import ControlAPIClient
import Hummingbird
import MarketCore

/// `GET /v1/providers[/{id}]` and the operator's `POST /v1/providers/{id}/trip|reset|disable|enable`.
extension ControlAPIBuilder {
  func addProviderRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/v1/providers") { [core] _, _ in
      JSONBody.response(ProvidersBody(providers: core.providerStatuses().map(ProviderBody.init)))
    }
    routes.on(.get, "/v1/providers/{id}") { [self] _, context in
      JSONBody.response(ProviderBody(try status(of: try providerID(context))))
    }
    let actions: [(String, @Sendable (MarketDataCore, ProviderID) throws(OperatorError) -> Void)] = [
      ("trip", { core, id throws(OperatorError) in try core.tripProvider(id) }),
      ("reset", { core, id throws(OperatorError) in try core.resetProvider(id) }),
      ("disable", { core, id throws(OperatorError) in try core.setProviderEnabled(id, false) }),
      ("enable", { core, id throws(OperatorError) in try core.setProviderEnabled(id, true) }),
    ]
    for (verb, action) in actions {
      routes.on(.post, "/v1/providers/{id}/\(verb)") { [self] _, context in
        let id = try providerID(context)
        do throws(OperatorError) {
          try action(core, id)
        } catch {
          throw APIError(error)
        }
        return JSONBody.response(ProviderBody(try status(of: id)))
      }
    }
  }

  private func providerID(_ context: APIRequestContext) throws -> ProviderID {
    let text = try context.pathParameter("id")
    guard text.utf8.count <= 64 else { throw APIError(OperatorError.unknownProvider(ProviderID(text))) }
    return ProviderID(text)
  }

  private func status(of id: ProviderID) throws -> ProviderStatus {
    guard let status = core.providerStatuses().first(where: { $0.id == id }) else {
      throw APIError(OperatorError.unknownProvider(id))
    }
    return status
  }
}
