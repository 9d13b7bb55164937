import CYaml

/// A YAML text's shape as libyaml's parser reports it, event by event, before anything is
/// built from it: anchors and aliases are refused (expanding aliases is what lets a small file
/// grow without bound, "billion laughs"), and so are too many values or too deep a nesting.
/// `CYaml` is the libyaml that Yams builds and parses with.
enum YAMLShape {
    static let maxValues = 100_000
    static let maxDepth = 64

    struct Refusal: Error {
        var line: Int?
        var column: Int?
        var message: String
    }

    /// Nil when the text may be composed; else the first refusal, at its line and column
    /// (from 1). Malformed YAML is left to the composer, which says what is wrong.
    static func refusal(in text: String) -> Refusal? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return Refusal(message: "out of memory reading YAML") }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Refusal? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var values = 0
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let at = (line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                let anchor: UnsafeMutablePointer<yaml_char_t>?
                switch event.type {
                case YAML_ALIAS_EVENT: anchor = event.data.alias.anchor
                case YAML_SCALAR_EVENT: anchor = event.data.scalar.anchor
                case YAML_SEQUENCE_START_EVENT: anchor = event.data.sequence_start.anchor
                case YAML_MAPPING_START_EVENT: anchor = event.data.mapping_start.anchor
                case YAML_STREAM_END_EVENT: return nil
                default: anchor = nil
                }
                if anchor != nil {
                    return Refusal(line: at.line, column: at.column, message: "YAML anchors and aliases (&name, *name) are not accepted here: write the value out")
                }
                switch event.type {
                case YAML_SCALAR_EVENT: values += 1
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    values += 1
                    depth += 1
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT: depth -= 1
                default: break
                }
                if values > maxValues {
                    return Refusal(line: at.line, column: at.column, message: "the file has more than \(maxValues) values: a configuration file should be small")
                }
                if depth > maxDepth {
                    return Refusal(line: at.line, column: at.column, message: "the file nests more than \(maxDepth) levels deep: a configuration file is flat")
                }
            }
        }
    }
}
