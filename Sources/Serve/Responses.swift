import HTTPTypes
import Hummingbird
import Model
import NIOCore
import Reports

/// Responses with their content types; every one also gets `SecurityHeaders`.
enum Responses {
    static func html(_ body: String, status: Int = 200) -> Response {
        text(body, type: "text/html; charset=utf-8", status: status)
    }

    static func json(_ body: String, status: Int = 200) -> Response {
        text(body, type: "application/json", status: status)
    }

    /// `{"error": message}` with the error's status.
    static func jsonError(_ error: WebError) -> Response {
        json(JSONStyle.object([("error", FieldValue.text(error.message))]) + "\n", status: error.status)
    }

    static func text(_ body: String, type: String, status: Int = 200) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: type],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    static func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.location: location]
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }
}
