import Foundation
import StockReconCore

/// A JSON record flattened to columns: its scalar members, aligned to a shared header.
public struct JSONRow: RowReading {
    public let line: Int
    public let record: Int
    let values: [String?]

    public func value(_ column: Int) -> String? { text(column) }

    public func text(_ column: Int) -> String? {
        guard column >= 0, column < values.count, let text = values[column] else { return nil }
        let trimmed = text.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// Reads JSON as the source APIs send it: one object, an array of objects, an object that
/// wraps its rows in a named array, or JSON lines (one object per line).
public struct JSONRowReader {
    public let path: String
    public let displayName: String

    public init(path: String, displayName: String? = nil) {
        self.path = path
        self.displayName = displayName ?? path
    }

    /// The values as decoded, without flattening (for formats with nested rows).
    public func values() throws -> [JSONValue] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileReadError(SourceLocation(file: displayName), "cannot read the file: \(error.localizedDescription)")
        }
        if String(validating: data, as: UTF8.self) == nil {
            throw FileReadError(SourceLocation(file: displayName), "the file is not valid UTF-8: save it as UTF-8")
        }
        do {
            return [try JSONDecoder().decode(JSONValue.self, from: data)]
        } catch let whole {
            // Not one document: perhaps JSON lines.
            let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            guard lines.count > 1 else { throw malformed(whole) }
            var values: [JSONValue] = []
            for (index, line) in lines.enumerated() where line.contains(where: { $0 > 0x20 }) {
                do {
                    values.append(try JSONDecoder().decode(JSONValue.self, from: Data(line)))
                } catch {
                    throw FileReadError(
                        SourceLocation(file: displayName, line: index + 1),
                        "malformed JSON on this line: \(Self.reason(error)); a JSON file holds one object, an array of objects, or one object per line")
                }
            }
            return values
        }
    }

    /// The rows to import: `rowKeys` names wrapper members whose array holds the rows.
    public func rows(rowKeys: [String] = []) throws -> (header: [String], rows: [JSONRow]) {
        var objects: [[(String, JSONValue)]] = []
        for value in try values() {
            try collect(value, rowKeys: rowKeys, into: &objects)
        }
        var header: [String] = []
        var columnOf: [String: Int] = [:]
        for object in objects {
            for (key, _) in object where columnOf[key] == nil {
                columnOf[key] = header.count
                header.append(key)
            }
        }
        let rows = objects.enumerated().map { index, object in
            var values = [String?](repeating: nil, count: header.count)
            for (key, value) in object {
                if let column = columnOf[key] { values[column] = value.scalarText }
            }
            return JSONRow(line: index + 1, record: index + 1, values: values)
        }
        return (header, rows)
    }

    private func collect(_ value: JSONValue, rowKeys: [String], into objects: inout [[(String, JSONValue)]]) throws {
        switch value {
        case .array(let items):
            for item in items {
                guard case .object(let members) = item else {
                    throw FileReadError(
                        SourceLocation(file: displayName, line: objects.count + 1),
                        "expected an object for each row, found \(item.kindName)")
                }
                objects.append(members)
            }
        case .object(let members):
            if let key = rowKeys.first(where: { value[$0] != nil }), let inner = value[key] {
                guard case .array = inner else {
                    throw FileReadError(SourceLocation(file: displayName, field: key), "expected an array of rows under \"\(key)\", found \(inner.kindName)")
                }
                try collect(inner, rowKeys: [], into: &objects)
            } else {
                objects.append(members)
            }
        default:
            throw FileReadError(SourceLocation(file: displayName), "expected an object or an array of objects, found \(value.kindName)")
        }
    }

    private func malformed(_ error: Error) -> FileReadError {
        FileReadError(SourceLocation(file: displayName), "malformed JSON: \(Self.reason(error))")
    }

    static func reason(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return String(describing: error)
    }
}
