import Testing
@testable import KiemDiemCore

@Suite(.timeLimit(.minutes(5))) struct CSVTests {
    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let r = try CSV.parse("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n", source: "f.csv")
        #expect(r.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["two\nlines", "z"]])
        #expect(r.map(\.line) == [1, 2, 3])
    }

    @Test func windowsLineEndingsReadTheSameAndAStrayCarriageReturnIsNamed() throws {
        let unix = try CSV.parse("id,name\na,Chi bộ\nb,\"Tổ, 2\"\n", source: "u.csv")
        let windows = try CSV.parse("\u{FEFF}id,name\r\na,Chi bộ\r\nb,\"Tổ, 2\"\r\n", source: "u.csv")
        #expect(windows == unix)
        #expect(unix.map(\.fields) == [["id", "name"], ["a", "Chi bộ"], ["b", "Tổ, 2"]])
        #expect(throws: InputError(source: "u.csv", line: 2, reason: "a carriage return inside a field (field 2)")) {
            try CSV.parse("id,name\na,Chi\rbộ\n", source: "u.csv")
        }
        // The last record needs no line break; an empty line is no record.
        #expect(try CSV.parse("id\n\na", source: "u.csv").map(\.fields) == [["id"], ["a"]])
    }

    @Test func aNulByteIsRefusedWithItsLineQuotedOrNot() {
        for text in ["id,parent\nso-a\u{0}x,bt\n", "id,parent\n\"so-a\u{0}\",bt\n"] {
            #expect(throws: InputError(source: "units.csv", line: 2, reason: "a NUL byte (not a text file?)")) { try CSV.parse(text, source: "units.csv") }
        }
        // The members importer refuses such an id with the same place, not a member cut short.
        #expect(throws: InputErrors.self) { try TreeImport.parseMembers("id,unit,name\nb1\u{0}evil,cs-b,Bốn\n", source: "members.csv") { _ in .cell } }
    }

    @Test func fieldsWrittenOutAreQuotedAndNeverTakenForAFormula() throws {
        #expect(CSV.row(["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "a,b", "plain", "Đảng ủy"])
                == #""'=HYPERLINK(""x"")",'+1,'-2,'@SUM(A1),'\#tx,"a,b",plain,Đảng ủy"#)
        // What is written reads back to the same text, but for the guard.
        let r = try CSV.parse("h1,h2\n" + CSV.row(["x\ny", "say \"hi\""]) + "\n", source: "out.csv")
        #expect(r[1].fields == ["x\ny", "say \"hi\""])
    }

    @Test func recordAfterMultilineFieldKeepsItsPhysicalLine() throws {
        let r = try CSV.parse("h\n\"a\nb\"\nc\n", source: "f.csv")
        #expect(r.last?.line == 4)
    }

    @Test(arguments: [
        ("a,\"b\n", 1, "never closed"),
        ("a,b\nx\"y,z\n", 2, "quote inside an unquoted field"),
        ("a,b\n\"x\"y,z\n", 2, "text after a closing quote"),
    ])
    func malformedNamesLineAndReason(_ text: String, _ line: Int, _ reason: String) {
        #expect {
            _ = try CSV.parse(text, source: "f.csv")
        } throws: { e in
            let e = e as! InputError
            return e.source == "f.csv" && e.line == line && e.reason.contains(reason)
        }
    }
}

@Suite(.timeLimit(.minutes(5))) struct TreeImportTests {
    let header = "id,parent,kind,name,head,email\n"

    func errors(_ body: String, existing: [OrgUnit] = []) -> [InputError] {
        do {
            let units = try TreeImport.parseUnits(header + body, source: "units.csv")
            _ = try TreeImport.validateTree(existing: existing, incoming: units, source: "units.csv")
            return []
        } catch { return error.errors }
    }

    @Test func acceptsAValidTree() throws {
        let units = try TreeImport.parseUnits(header + "duk,,bloc,Đảng bộ Khối,,\ngc,duk,grassroots-committee,Đảng bộ Sở,,\nc1,gc,cell,Chi bộ 1,dv-1,a@b\n", source: "u")
        let tree = try TreeImport.validateTree(existing: [], incoming: units, source: "u")
        #expect(tree.count == 3)
    }

    // Each row: the units body, the line the error must name, a fragment of the reason.
    @Test(arguments: [
        ("duk,,bloc,B,,\nGC,duk,grassroots-committee,X,,\n", 3, "must match"),
        ("duk,,bloc,B,,\nduk,,bloc,B,,\n", 3, "duplicate id 'duk' (first on line 2)"),
        ("duk,,bloc,B,,\nx,duk,office,X,,\n", 3, "unknown kind 'office'"),
        ("duk,,bloc,B,,\nx,nowhere,grassroots-cell,X,,\n", 3, "unknown parent 'nowhere'"),
        ("duk,,bloc,B,,\nx,,bloc,X,,\n", 2, "only one root"),
        ("duk,,bloc,B,,\nc,duk,cell,X,,\n", 3, "a cell cannot sit under a bloc"),
        ("duk,,bloc,B,,\nx,duk,grassroots-cell,,,\n", 3, "empty name"),
        ("duk,,bloc,B,,\nx,duk,grassroots-cell,X\n", 3, "4 fields, expected 6"),
        ("duk,,grassroots-cell,B,,\n", 2, "must be of kind bloc"),
    ])
    func rejects(_ body: String, _ line: Int, _ reason: String) {
        let errs = errors(body)
        #expect(errs.contains { $0.line == line && $0.reason.contains(reason) }, "\(errs)")
    }

    @Test func detectsACycle() {
        let errs = errors("duk,,bloc,B,,\na,b,sub-committee,A,,\nb,a,sub-committee,B,,\n")
        #expect(errs.contains { $0.reason.contains("cycle") }, "\(errs)")
    }

    @Test func mergesWithTheStoredTree() {
        let stored = [OrgUnit(id: "duk", parent: nil, kind: .bloc, name: "B")]
        #expect(errors("gc,duk,grassroots-cell,X,,\n", existing: stored).isEmpty)
        #expect(errors("other,,bloc,X,,\n", existing: stored).contains { $0.reason.contains("only one root") })
    }

    @Test func unknownColumnIsAnError() {
        #expect(throws: InputErrors.self) { try TreeImport.parseUnits("id,parent,kind,name,hed\n", source: "u") }
    }

    @Test func membersAreCheckedAgainstTheTree() {
        let kinds: [String: UnitKind] = ["c1": .cell, "gc": .grassrootsCommittee]
        let text = "id,unit,name,role,email,disciplined\ndv-1,c1,An,secretary,,false\ndv-2,gc,Bình,member,,\ndv-3,zz,Chi,member,,\ndv-4,c1,Dũng,boss,,\ndv-5,c1,Hà,member,,maybe\n"
        do {
            _ = try TreeImport.parseMembers(text, source: "members.csv") { kinds[$0] }
            Issue.record("expected errors")
        } catch {
            let byLine = Dictionary(uniqueKeysWithValues: error.errors.map { ($0.line!, $0.reason) })
            #expect(byLine[2] == nil)
            #expect(byLine[3]?.contains("members belong to a cell") == true)
            #expect(byLine[4]?.contains("unknown unit 'zz'") == true)
            #expect(byLine[5]?.contains("unknown role 'boss'") == true)
            #expect(byLine[6]?.contains("true, false or a date YYYY-MM-DD") == true)
        }
    }
}

@Suite(.timeLimit(.minutes(5))) struct DisciplineTests {
    @Test func theDisciplinedColumnTakesADateAndCountsInItsYear() throws {
        let text = "id,unit,name,role,email,disciplined\na,c1,An,member,,2022-11-15\nb,c1,Bình,member,,true\nc,c1,Chi,member,,false\n"
        let ms = try TreeImport.parseMembers(text, source: "m.csv") { _ in .cell }
        #expect(ms.map(\.discipline) == [.on("2022-11-15"), .undated, nil])
        #expect(ms[0].discipline!.counts(inYear: 2022) && !ms[0].discipline!.counts(inYear: 2023))
        #expect(ms[1].discipline!.counts(inYear: 2023))
        #expect(throws: InputErrors.self) { try TreeImport.parseMembers("id,unit,name,role,email,disciplined\na,c1,An,member,,2022-02-30\n", source: "m.csv") { _ in .cell } }
    }

    @Test func unitsMayCarryDiscipline() throws {
        let us = try TreeImport.parseUnits("id,parent,kind,name,head,email,disciplined\nduk,,bloc,B,,,\ng,duk,grassroots-cell,G,,,2023-01-05\n", source: "u.csv")
        #expect(us.map(\.unit.discipline) == [nil, .on("2023-01-05")])
        #expect(throws: InputErrors.self) { try TreeImport.parseUnits("id,parent,kind,name,head,email,disciplined\nduk,,bloc,B,,,soon\n", source: "u.csv") }
    }

    @Test func theCommitteeThatActsIsNamed() {
        #expect(OrgUnit(id: "duk", parent: nil, kind: .bloc, name: "Đảng bộ Khối Các cơ quan tỉnh").committeeName == "Ban Thường vụ Đảng ủy Khối Các cơ quan tỉnh")
        #expect(OrgUnit(id: "g", parent: "duk", kind: .grassrootsCommittee, name: "Đảng bộ Sở Tài chính").committeeName == "Đảng ủy Sở Tài chính")
        #expect(OrgUnit(id: "s", parent: "g", kind: .subCommittee, name: "Đảng bộ bộ phận Thanh tra").committeeName == "Đảng ủy bộ phận Thanh tra")
        #expect(OrgUnit(id: "c", parent: "g", kind: .cell, name: "Chi bộ Văn phòng").committeeName == "Chi bộ Văn phòng")
    }
}
