import Testing
@testable import StockReconPostgres
@testable import StockReconSQLite

/// Shipped migrations are never edited: databases made by earlier stockrecons have run them
/// by name and will not run them again. Each backend's texts are pinned here.
@Suite struct FrozenMigrationTests {
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    @Test func bothBackendsHaveTheSameMigrationsInTheSameOrder() {
        #expect(SQLiteMigrations.all.map(\.name) == PostgresMigrations.all.map(\.name))
        #expect(SQLiteSchema.migrations.map(\.name) == SQLiteMigrations.all.map(\.name))
    }

    @Test func shippedMigrationsAreNeverEdited() {
        let sqlite: [UInt64] = [
            0x3F8B_0EA2_8C1E_7AB3, 0xD683_A7BA_5E6E_A9B7, 0x2CFE_E495_626D_6C5C, 0x8A08_AA69_9963_6511, 0xDDE9_4EA3_2918_5F37,
            0x3A78_6908_2EB1_B2C7, 0x81C4_C590_A8EE_C0F6, 0xEC49_7488_296B_EEED, 0x9F7E_24EF_A5C6_E3D3, 0x84FC_5F87_2BF6_1DCF,
            0x7065_C682_7450_1D97, 0x8DB1_0D4E_1C0C_3CCB, 0x60F2_7C40_8F5A_EB22, 0x392F_9B49_E81C_4330, 0x3B6C_174E_40B1_3436,
            0x965F_C69E_B0E6_B48B, 0x875E_1593_D981_2B8A, 0x9975_255A_F30E_829A, 0xACD0_89CB_F6A5_F4AF, 0xEB07_97E1_4370_0D57,
            0x78FF_DF0E_C38C_45BB, 0x02F8_5C3C_4D3D_1718, 0x544D_F535_32C0_56B0, 0x150D_F6BF_67FC_0F2C, 0x7986_0D6E_0D5E_5779,
            0x437E_E415_04F5_C767, 0x81EE_851F_17EB_C9A5, 0x8F08_4124_08E7_3077, 0x26A1_CEEE_55AE_0695,
        ]
        let postgres: [UInt64] = [
            0xEEF5_A5D6_19BC_C551, 0x2430_3005_B123_CB39, 0x45AC_CC43_03D2_815B, 0xBB64_40B4_8FFA_EE0A, 0xE65C_CC2F_0037_AAF4,
            0x37B7_1DEE_59F2_ED20, 0x4F1E_5BE2_61D7_2D37, 0xFE2C_74B0_7131_33BE, 0x6899_35A6_4B41_2298, 0xBBCD_B4F9_FA72_1C2A,
            0x31D8_5258_F551_D2B2, 0xB978_6E55_2745_9552, 0xBCBF_07CF_7DAC_F405, 0xEFF5_57FB_31A3_17B4, 0xCBDF_F9B6_A962_D0BA,
            0x965F_C69E_B0E6_B48B, 0xC185_7DF6_1AC1_0F4B, 0x9975_255A_F30E_829A, 0xE60D_47DD_7FB0_1361, 0xBF50_B8BB_668A_F195,
            0xDEA1_F973_822E_FB7B, 0x3508_4F86_9440_FA99, 0x1EBB_77A5_1628_1C3A, 0xF573_5B34_C234_C584, 0x1461_25C1_CB33_CD79,
            0x437E_E415_04F5_C767, 0x2AC7_825F_3A99_12F2, 0x72D1_21E7_C77F_A18B, 0x6F68_B4BB_2A8D_3B7C,
        ]
        // A new migration adds its own line at the end of each list.
        #expect(Array(SQLiteMigrations.all.prefix(sqlite.count).map { Self.fnv1a($0.sql) }) == sqlite)
        #expect(Array(PostgresMigrations.all.prefix(postgres.count).map { Self.fnv1a($0.sql) }) == postgres)
    }
}
