import Foundation
import Hummingbird
import KiemDiemPages
import NIOCore

/// The page's stylesheet and script (KiemDiemPages), served from the binary: nothing from a CDN,
/// no external font; the script is the only one the CSP allows.
enum Assets {
    static func response(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    static var css: String { PageAssets.css }
    static var js: String { PageAssets.js }
}
