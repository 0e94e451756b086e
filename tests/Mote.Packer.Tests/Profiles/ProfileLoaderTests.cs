using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mote.Packer.Profiles;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Profiles
{
    /// <summary>The shipped hardware profiles, the schema and the loader's errors (each naming file and field).</summary>
    public class ProfileLoaderTests
    {
        public static string Dir => Path.Combine(SharedData.RepoRoot, ProfileLoader.DirectoryName);

        public static IEnumerable<object[]> ShippedIds() => ProfileLoader.ListIds(Dir).Select(id => new object[] { id });

        /// <summary>A valid profile to break one field at a time (the ESP32 one, as shipped).</summary>
        static JsonObject Valid() => JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "esp32.json"))).AsObject();

        const string FakePath = "profiles/esp32.json";

        static ProfileException Fails(JsonObject o, string path = FakePath) =>
            Assert.Throws<ProfileException>(() => ProfileLoader.Parse(o.ToJsonString(), path));

        [Theory]
        [MemberData(nameof(ShippedIds))]
        public void LoadFile_ShippedProfile_LoadsWithDocumentedBudgets(string id)
        {
            var p = ProfileLoader.LoadFile(Path.Combine(Dir, id + ".json"));
            Assert.Equal(id, p.Id);
            Assert.InRange(p.FlashBudgetBytes, 1, p.FlashTotalBytes);
            Assert.InRange(p.RamBudgetBytes, 1, p.RamTotalBytes);
            Assert.True(p.FlashBudgetAssumption.Length > 40 && p.RamBudgetAssumption.Length > 40 && p.StateOverheadAssumption.Length > 40);
            Assert.NotEmpty(p.Sources);
            Assert.Equal(0, ProfileLoader.WeightsLayoutCode(p.WeightLayout));
            Assert.Equal(0, Runtime.Format.BlobFormat.Alignment % p.Alignment);
        }

        [Fact]
        public void ShippedProfiles_CoverTheIssueBoards()
        {
            var all = ProfileLoader.LoadAll(Dir).ToDictionary(p => p.Id);
            var pi4 = all["raspberry-pi-4"];
            Assert.Contains("Cortex-A72", pi4.Core);
            Assert.Equal(KernelTiers.SimdAdvSimd, pi4.KernelTier);
            Assert.Contains("asimd", pi4.IsaFeatures);
            Assert.DoesNotContain("asimddp", pi4.IsaFeatures); // the A72 has no SDOT
            var pi5 = all["raspberry-pi-5"];
            Assert.Contains("Cortex-A76", pi5.Core);
            Assert.Equal(KernelTiers.SimdSdot, pi5.KernelTier);
            Assert.Contains("asimddp", pi5.IsaFeatures);
            var meadow = all["meadow-f7v2"];
            Assert.Contains("Cortex-M7", meadow.Core);
            Assert.Equal((Runtimes.NetStandardMono, KernelTiers.ReferenceManaged), (meadow.Runtime, meadow.KernelTier));
            foreach (var id in new[] { "esp32", "esp32-s3" })
            {
                Assert.Contains("Xtensa", all[id].Core);
                Assert.Equal((Runtimes.NanoFramework, KernelTiers.NativePortableC), (all[id].Runtime, all[id].KernelTier));
            }
            Assert.Contains("LX6", all["esp32"].Core);
            Assert.Contains("LX7", all["esp32-s3"].Core);
            var f769 = all["stm32f769i-disco"];
            Assert.Contains("Cortex-M7", f769.Core);
            Assert.Equal((Runtimes.NanoFramework, KernelTiers.NativeCmsisDsp), (f769.Runtime, f769.KernelTier));
            var m4 = all.Values.Single(p => p.Core.Contains("Cortex-M4F"));
            Assert.Equal((Runtimes.NanoFramework, KernelTiers.NativeCmsisDsp), (m4.Runtime, m4.KernelTier));
            Assert.Contains("fpv4-sp-d16", m4.IsaFeatures);
            Assert.All(all.Values, p => Assert.True(p.BlobInRam, p.Id + ": Model.Load reads a byte[] on every runtime today"));
        }

        [Fact]
        public void EmbeddedSchema_IsTheRepositoryFile()
        {
            Assert.Equal(File.ReadAllText(Path.Combine(Dir, ProfileLoader.SchemaFileName)), ProfileLoader.SchemaText);
        }

        public static IEnumerable<object[]> RequiredFields()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, ProfileLoader.SchemaFileName)));
            return doc.RootElement.GetProperty("required").EnumerateArray().Select(e => new object[] { e.GetString() }).ToList();
        }

        [Theory]
        [MemberData(nameof(RequiredFields))]
        public void Parse_MissingRequiredField_NamesFileAndField(string field)
        {
            var o = Valid();
            Assert.True(o.Remove(field));
            var e = Fails(o);
            Assert.StartsWith(FakePath + ": /" + field + ": required field '" + field + "' is missing", e.Message);
            Assert.Equal("/" + field, Assert.Single(e.Errors).Pointer);
        }

        [Fact]
        public void Parse_EveryFieldRequiredByTheSchema_IsEveryPropertyButSchemaPointer()
        {
            // No field may be optional (no silent defaults): the schema requires all of its properties except "$schema".
            using var doc = JsonDocument.Parse(ProfileLoader.SchemaText);
            var props = doc.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).Where(n => n != "$schema").OrderBy(n => n);
            var required = doc.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()).OrderBy(n => n);
            Assert.Equal(props, required);
        }

        [Fact]
        public void Parse_WrongType_NamesFieldExpectedAndGot()
        {
            var o = Valid();
            o["clock_mhz"] = "240";
            var e = Fails(o);
            Assert.Equal(FakePath + ": /clock_mhz: expected an integer, got the string \"240\"", e.Message);
        }

        [Fact]
        public void Parse_FractionalInteger_Rejected()
        {
            var o = Valid();
            o["ram_budget_bytes"] = 1024.5;
            Assert.Contains("/ram_budget_bytes: expected an integer, got the number 1024.5", Fails(o).Message);
        }

        [Fact]
        public void Parse_UnknownField_NamesItAsPossibleTypo()
        {
            var o = Valid();
            o["ram_budget_byte"] = 1;
            Assert.Contains("/ram_budget_byte: unknown field 'ram_budget_byte' (a typo?", Fails(o).Message);
        }

        [Fact]
        public void Parse_BadEnum_ListsAllowedValues()
        {
            var o = Valid();
            o["kernel_tier"] = "cmsis-nn";
            var m = Fails(o).Message;
            Assert.Contains("/kernel_tier: must be one of \"reference-managed\", \"simd-advsimd\", \"simd-sdot\", \"native-portable-c\", \"native-cmsis-dsp\"; got the string \"cmsis-nn\"", m);
        }

        [Fact]
        public void Parse_ShortAssumption_Rejected()
        {
            var o = Valid();
            o["ram_budget_assumption"] = "estimate";
            Assert.Contains("/ram_budget_assumption: must be at least 20 characters, got 8", Fails(o).Message);
        }

        [Fact]
        public void Parse_DuplicateFeatureAndBadPattern_NameTheItem()
        {
            var o = Valid();
            o["isa_features"] = new JsonArray("dsp", "DSP", "dsp");
            var e = Fails(o);
            Assert.Contains(e.Errors, x => x.Pointer == "/isa_features/2" && x.Message.Contains("repeats item 0"));
            Assert.Contains(e.Errors, x => x.Pointer == "/isa_features/1" && x.Message.Contains("does not match the pattern"));
        }

        [Fact]
        public void Parse_FactorZero_Rejected()
        {
            var o = Valid();
            o["state_overhead_factor"] = 0;
            Assert.Contains("/state_overhead_factor: must be > 0, got 0", Fails(o).Message);
        }

        [Fact]
        public void Parse_SeveralProblems_ReportsAllAtOnce()
        {
            var o = Valid();
            o.Remove("name");
            o["alignment"] = 3;
            o["blob_in_ram"] = "yes";
            var e = Fails(o);
            Assert.Equal(new[] { "/name", "/alignment", "/blob_in_ram" }.OrderBy(x => x), e.Errors.Select(x => x.Pointer).OrderBy(x => x));
            Assert.StartsWith(FakePath + ": 3 problems:", e.Message);
        }

        [Fact]
        public void Parse_BudgetOverTotal_NamesBudgetField()
        {
            var o = Valid();
            o["ram_budget_bytes"] = (long)o["ram_total_bytes"] + 1;
            Assert.Equal($"{FakePath}: /ram_budget_bytes: {(long)o["ram_total_bytes"] + 1} exceeds ram_total_bytes {(long)o["ram_total_bytes"]}", Fails(o).Message);
            o = Valid();
            o["flash_budget_bytes"] = (long)o["flash_total_bytes"] * 2;
            Assert.Contains("/flash_budget_bytes:", Fails(o).Message);
        }

        [Fact]
        public void Parse_TierWithoutItsIsaFeature_NamesKernelTier()
        {
            var o = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "raspberry-pi-5.json"))).AsObject();
            o["isa_features"] = new JsonArray("fp", "asimd");
            var m = Fails(o, "p/raspberry-pi-5.json").Message;
            Assert.Contains("/kernel_tier: \"simd-sdot\" needs ISA feature \"asimddp\"", m);
        }

        [Fact]
        public void Parse_TierOnWrongRuntime_NamesKernelTier()
        {
            var o = Valid();
            o["runtime"] = "net8";
            Assert.Contains("/kernel_tier: \"native-portable-c\" kernels run on runtime \"nanoframework-1.x\"", Fails(o).Message);
        }

        [Fact]
        public void Parse_IdNotFileName_NamesId()
        {
            var e = Fails(Valid(), "profiles/my-board.json");
            Assert.Equal("profiles/my-board.json: /id: is \"esp32\" but the file is my-board.json (mote pack --profile my-board looks the file up by id)", e.Message);
        }

        [Fact]
        public void Parse_NotJson_NamesFileAndLine()
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse("{\n  \"id\": \"esp32\",\n  oops\n}", FakePath));
            Assert.StartsWith(FakePath + ": not valid JSON (line 3", e.Message);
        }

        [Fact]
        public void Parse_ArrayInsteadOfObject_SaysSo()
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse("[1]", FakePath));
            Assert.Equal(FakePath + ": (root): expected an object, got an array", e.Message);
        }

        [Fact]
        public void LoadFile_Missing_NamesFile()
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.LoadFile("/nonexistent/board.json"));
            Assert.Equal("/nonexistent/board.json: profile file not found", e.Message);
        }

        [Fact]
        public void Resolve_Id_FindsRepositoryProfileFromNestedDirectory()
        {
            string nested = Path.Combine(SharedData.RepoRoot, "tools", "samples");
            var p = ProfileLoader.Resolve("stm32f769i-disco", new[] { nested });
            Assert.Equal(Path.Combine(Dir, "stm32f769i-disco.json"), p.SourcePath);
        }

        [Fact]
        public void Resolve_UnknownId_ListsAvailableIds()
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Resolve("esp8266", new[] { SharedData.RepoRoot }));
            Assert.Contains("esp8266: no such profile in ", e.Message);
            Assert.Contains("(have: esp32, esp32-s3, ", e.Message);
        }

        [Fact]
        public void Resolve_IdOutsideAnyRepository_SaysWhatToPass()
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Resolve("esp32", new[] { Path.GetTempPath() }));
            Assert.Contains("pass a path to a profile .json", e.Message);
        }

        [Fact]
        public void Resolve_PathToFileElsewhere_LoadsIt()
        {
            string dir = Directory.CreateTempSubdirectory("mote-profile-").FullName;
            try
            {
                var o = Valid();
                o["id"] = "tiny-board";
                string path = Path.Combine(dir, "tiny-board.json");
                File.WriteAllText(path, o.ToJsonString());
                Assert.Equal("tiny-board", ProfileLoader.Resolve(path, Array.Empty<string>()).Id);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
