using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Mote.Runtime.Format;

namespace Mote.Packer.Profiles
{
    /// <summary>
    /// Reads hardware-profiles/&lt;id&gt;.json: JSON syntax, then the schema (hardware-profiles/profile.schema.json,
    /// embedded in this assembly so a profile anywhere on disk is checked against the same rules), then the
    /// rules a schema cannot state (budgets within totals, kernel tier vs ISA features and runtime, id = file name).
    /// Every problem is reported at once, each naming the file and the field; nothing is defaulted.
    /// </summary>
    public static class ProfileLoader
    {
        public const string DirectoryName = "hardware-profiles";
        public const string SchemaFileName = "profile.schema.json";
        const string SchemaResource = "Mote.Packer.Profiles.profile.schema.json";

        static readonly Lazy<(string text, JsonSchemaSubset schema)> embedded = new(() =>
        {
            using var s = typeof(ProfileLoader).Assembly.GetManifestResourceStream(SchemaResource)
                ?? throw new InvalidOperationException($"resource {SchemaResource} is missing from {typeof(ProfileLoader).Assembly.GetName().Name} (see Mote.Packer.csproj)");
            using var r = new StreamReader(s);
            string text = r.ReadToEnd();
            return (text, JsonSchemaSubset.Parse(text));
        });

        /// <summary>The schema text built into the packer (a copy of hardware-profiles/profile.schema.json).</summary>
        public static string SchemaText => embedded.Value.text;

        public static JsonSchemaSubset Schema => embedded.Value.schema;

        /// <summary>Loads and validates one profile file.</summary>
        /// <exception cref="ProfileException">file missing, not JSON, or invalid (every bad field named).</exception>
        public static HardwareProfile LoadFile(string path)
        {
            if (!File.Exists(path)) throw new ProfileException(path, "profile file not found");
            string text;
            try { text = File.ReadAllText(path); }
            catch (IOException e) { throw new ProfileException(path, "cannot read: " + e.Message); }
            return Parse(text, path);
        }

        /// <summary>
        /// Validates profile JSON. <paramref name="path"/> names it in messages; when it ends in ".json"
        /// the profile's id must equal the file name.
        /// </summary>
        public static HardwareProfile Parse(string json, string path)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
            }
            catch (JsonException e)
            {
                throw new ProfileException(path, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
            }
            using (doc)
            {
                var root = doc.RootElement;
                var errors = Schema.Validate(root);
                if (errors.Count > 0) throw new ProfileException(path, errors);
                var p = Read(root, path);
                errors = Rules(p, path);
                if (errors.Count > 0) throw new ProfileException(path, errors);
                return p;
            }
        }

        static string FirstSentence(string m)
        {
            int i = m.IndexOf(" Path:", StringComparison.Ordinal);
            return i > 0 ? m.Substring(0, i) : m;
        }

        // The schema has checked presence and types, so every Get* below succeeds.
        static HardwareProfile Read(JsonElement r, string path) => new HardwareProfile
        {
            Id = r.GetProperty("id").GetString(),
            Name = r.GetProperty("name").GetString(),
            Core = r.GetProperty("core").GetString(),
            IsaFeatures = r.GetProperty("isa_features").EnumerateArray().Select(x => x.GetString()).ToList(),
            ClockMhz = (int)r.GetProperty("clock_mhz").GetDouble(),
            FlashTotalBytes = (long)r.GetProperty("flash_total_bytes").GetDouble(),
            RamTotalBytes = (long)r.GetProperty("ram_total_bytes").GetDouble(),
            FlashBudgetBytes = (long)r.GetProperty("flash_budget_bytes").GetDouble(),
            FlashBudgetAssumption = r.GetProperty("flash_budget_assumption").GetString(),
            RamBudgetBytes = (long)r.GetProperty("ram_budget_bytes").GetDouble(),
            RamBudgetAssumption = r.GetProperty("ram_budget_assumption").GetString(),
            KernelTier = r.GetProperty("kernel_tier").GetString(),
            WeightLayout = r.GetProperty("weight_layout").GetString(),
            Alignment = (int)r.GetProperty("alignment").GetDouble(),
            Runtime = r.GetProperty("runtime").GetString(),
            StateOverheadFactor = r.GetProperty("state_overhead_factor").GetDouble(),
            StateOverheadAssumption = r.GetProperty("state_overhead_assumption").GetString(),
            BlobInRam = r.GetProperty("blob_in_ram").GetBoolean(),
            Sources = r.GetProperty("sources").EnumerateArray().Select(x => x.GetString()).ToList(),
            SourcePath = path,
        };

        /// <summary>ISA features each kernel tier relies on.</summary>
        static readonly Dictionary<string, string[]> TierFeatures = new()
        {
            [KernelTiers.ReferenceManaged] = Array.Empty<string>(),
            [KernelTiers.SimdAdvSimd] = new[] { "asimd" },
            [KernelTiers.SimdSdot] = new[] { "asimd", "asimddp" },
            [KernelTiers.NativePortableC] = Array.Empty<string>(),
            [KernelTiers.NativeCmsisDsp] = new[] { "dsp" },
        };

        /// <summary>The runtime each kernel tier runs in (null: any).</summary>
        static readonly Dictionary<string, string> TierRuntime = new()
        {
            [KernelTiers.ReferenceManaged] = null,
            [KernelTiers.SimdAdvSimd] = Runtimes.Net8,
            [KernelTiers.SimdSdot] = Runtimes.Net8,
            [KernelTiers.NativePortableC] = Runtimes.NanoFramework,
            [KernelTiers.NativeCmsisDsp] = Runtimes.NanoFramework,
        };

        /// <summary>Rules across fields that the schema cannot express.</summary>
        static List<SchemaError> Rules(HardwareProfile p, string path)
        {
            var e = new List<SchemaError>();
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                string fileId = Path.GetFileNameWithoutExtension(path);
                if (p.Id != fileId) e.Add(new SchemaError("/id", $"is \"{p.Id}\" but the file is {fileId}.json (mote pack --profile {fileId} looks the file up by id)"));
            }
            if (p.FlashBudgetBytes > p.FlashTotalBytes)
                e.Add(new SchemaError("/flash_budget_bytes", $"{p.FlashBudgetBytes} exceeds flash_total_bytes {p.FlashTotalBytes}"));
            if (p.RamBudgetBytes > p.RamTotalBytes)
                e.Add(new SchemaError("/ram_budget_bytes", $"{p.RamBudgetBytes} exceeds ram_total_bytes {p.RamTotalBytes}"));
            foreach (var f in TierFeatures[p.KernelTier])
                if (!p.IsaFeatures.Contains(f))
                    e.Add(new SchemaError("/kernel_tier", $"\"{p.KernelTier}\" needs ISA feature \"{f}\", which isa_features does not list"));
            string rt = TierRuntime[p.KernelTier];
            if (rt != null && p.Runtime != rt)
                e.Add(new SchemaError("/kernel_tier", $"\"{p.KernelTier}\" kernels run on runtime \"{rt}\", this profile says \"{p.Runtime}\""));
            if (BlobFormat.Alignment % p.Alignment != 0)
                e.Add(new SchemaError("/alignment", $"{p.Alignment} does not divide the blob's constant alignment of {BlobFormat.Alignment} bytes"));
            return e;
        }

        /// <summary>The blob header's WeightsLayout value for a profile's weight_layout ("plain" = 0).</summary>
        public static int WeightsLayoutCode(string weightLayout) => weightLayout == "plain" ? 0
            : throw new ArgumentException($"unknown weight layout '{weightLayout}'");

        /// <summary>
        /// The hardware-profiles directory of the repository: the first one found walking up from each start
        /// directory (the working directory, then the tool's own location), as `mote demo` finds tools/samples.
        /// Null when there is none.
        /// </summary>
        public static string FindDirectory(IEnumerable<string> starts)
        {
            foreach (var start in starts)
            {
                if (string.IsNullOrEmpty(start)) continue;
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string p = Path.Combine(d.FullName, DirectoryName);
                    if (File.Exists(Path.Combine(p, SchemaFileName))) return p;
                }
            }
            return null;
        }

        /// <summary>Ids of the profiles in <paramref name="dir"/> (file names without .json), sorted.</summary>
        public static List<string> ListIds(string dir) => Directory.GetFiles(dir, "*.json")
            .Where(f => !Path.GetFileName(f).Equals(SchemaFileName, StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFileNameWithoutExtension).OrderBy(x => x, StringComparer.Ordinal).ToList();

        /// <summary>Loads every profile in <paramref name="dir"/>.</summary>
        public static List<HardwareProfile> LoadAll(string dir) => ListIds(dir).Select(id => LoadFile(Path.Combine(dir, id + ".json"))).ToList();

        /// <summary>
        /// <paramref name="fileOrId"/> is a path to a .json file, or the id of a profile in the repository's
        /// hardware-profiles directory (found from <paramref name="starts"/>).
        /// </summary>
        public static HardwareProfile Resolve(string fileOrId, IEnumerable<string> starts)
        {
            if (File.Exists(fileOrId) || fileOrId.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                || fileOrId.Contains('/') || fileOrId.Contains('\\'))
                return LoadFile(fileOrId);
            string dir = FindDirectory(starts);
            if (dir == null)
                throw new ProfileException(fileOrId, $"no profile file of that name, and no {DirectoryName}/ directory (with {SchemaFileName}) above the working directory or the tool; pass a path to a profile .json");
            string path = Path.Combine(dir, fileOrId + ".json");
            if (!File.Exists(path))
                throw new ProfileException(fileOrId, $"no such profile in {dir} (have: {string.Join(", ", ListIds(dir))})");
            return LoadFile(path);
        }
    }
}
