import Foundation
import Testing
@testable import KiemDiemCore

/// The optional `phone` column of the tree files (for an SMS bridge behind a webhook).
@Suite struct PhoneTests {
    let unitsHeader = "id,parent,kind,name,head,email,disciplined,phone\n"

    @Test func aPhoneIsStoredAsPlusAndDigits() throws {
        let units = try TreeImport.parseUnits(unitsHeader + "duk,,bloc,Đảng bộ Khối,,,,+84 24 3825.1234\nc1,duk,grassroots-cell,Chi bộ 1,,,,\n", source: "u.csv")
        #expect(units.map(\.unit.phone) == ["+842438251234", nil])
        let members = try TreeImport.parseMembers("id,unit,name,role,email,disciplined,phone\nm1,c1,Nguyễn Văn An,member,,,0912-345-678\n", source: "m.csv") { _ in .grassrootsCell }
        #expect(members.first?.phone == "0912345678")
    }

    @Test func aFileWithoutTheColumnImportsAsBefore() throws {
        let units = try TreeImport.parseUnits("id,parent,kind,name,head,email\nduk,,bloc,Đảng bộ Khối,,\n", source: "u.csv")
        #expect(units.first?.unit.phone == nil)
    }

    @Test(arguments: ["abc", "12345", "+84 24 3825 1234 5678 99", "84+912345678", "0912;345678", "0912 345 678 x"])
    func aBadPhoneIsAFindingWithItsLine(_ bad: String) throws {
        #expect {
            _ = try TreeImport.parseUnits(unitsHeader + "duk,,bloc,Đảng bộ Khối,,,,\"\(bad)\"\n", source: "u.csv")
        } throws: { e in
            let errors = (e as? InputErrors)?.errors ?? []
            return errors.count == 1 && errors[0].line == 2 && errors[0].reason.contains("phone")
        }
    }
}
