/// Column positions by normalized name (`Variant ID` and `variant_id` are one column).
struct Columns {
    let names: [String]
    private let index: [String: Int]

    init(header: [String]) {
        names = header.map(Columns.normalize)
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }

    subscript(name: String) -> Int? { index[Columns.normalize(name)] }

    /// Every position of a column, where the header names it more than once.
    func positions(of name: String) -> [Int] {
        let normalized = Columns.normalize(name)
        return names.indices.filter { names[$0] == normalized }
    }

    /// Lower case, without surrounding spaces, with spaces and dashes as underscores.
    static func normalize(_ name: String) -> String {
        name.trimmingCharacters(in: " \t").lowercased()
            .split(whereSeparator: { $0 == " " || $0 == "-" }).joined(separator: "_")
    }
}
