import Foundation
import PackagePlugin

/// Embeds files a target needs at run time (each catalog's SQL migrations, the simulator's
/// voice sample) as Swift constants, so the installed binary is one self-contained file.
@main
struct EmbedResourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let inputs: [URL]
        switch target.name {
        case "Catalog", "PostgresCatalog":
            // Each catalog its own migrations: catalog/sqlite/ and catalog/postgres/.
            let folder = context.package.directoryURL.appending(path: target.name == "Catalog" ? "catalog/sqlite" : "catalog/postgres")
            inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        case "Simulator":
            inputs = [target.directoryURL.appending(path: "Voice/voice.mp3")]
        default:
            return []
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "Embedded\(target.name).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) file(s) into \(target.name)",
                executable: try context.tool(named: "EmbedResources").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
