using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mote.NanoCheck;
using Mote.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Mote.NanoCheck.Tests
{
    /// <summary>
    /// The nanoFramework gate (tools/nanocheck). The stubs come from ../shared/apis (the nanoFramework
    /// 1.17 listings), so these tests skip without ../shared and fail without it under CI=true.
    /// Inputs live in Fixtures/ with "// expect: ..." markers on every line that must be reported.
    /// </summary>
    public sealed class NanoCheckTests
    {
        readonly ITestOutputHelper _out;

        public NanoCheckTests(ITestOutputHelper output) => _out = output;

        static NanoApi Api()
        {
            string apis = SharedData.Require("apis");
            return NanoApi.Load(NanoApi.DefaultListings(apis));
        }

        static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

        CheckResult Check(NanoApi api, bool allowNanoMath = false, params string[] paths)
        {
            var result = NanoChecker.Check(new CheckOptions { Paths = paths, Api = api, AllowNanoMath = allowNanoMath });
            foreach (var f in result.Findings) _out.WriteLine(f.ToString());
            foreach (var n in result.Notes) _out.WriteLine("note: " + n);
            return result;
        }

        /// <summary>Line number → expected substrings, from "// expect: a | b" markers.</summary>
        static Dictionary<int, string[]> Expectations(string file)
        {
            var map = new Dictionary<int, string[]>();
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                int at = lines[i].IndexOf("// expect: ", StringComparison.Ordinal);
                if (at < 0 || lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                map[i + 1] = lines[i].Substring(at + 11).Split(" | ").Select(s => s.Trim()).ToArray();
            }
            return map;
        }

        static void AssertMatchesMarkers(CheckResult result, string file)
        {
            var expected = Expectations(file);
            Assert.NotEmpty(expected);
            var mine = result.Findings.Where(f => f.File == file).ToList();
            foreach (var (line, texts) in expected)
                foreach (string text in texts)
                    Assert.True(mine.Any(f => f.Line == line && f.Message.Contains(text, StringComparison.Ordinal)),
                        Path.GetFileName(file) + ":" + line + ": expected a finding containing \"" + text + "\"; got:\n" + string.Join("\n", mine));
            var unexpected = mine.Where(f => !expected.ContainsKey(f.Line)).ToList();
            Assert.True(unexpected.Count == 0, "findings on unmarked lines:\n" + string.Join("\n", unexpected));
        }

        [SkippableFact]
        public void Check_ViolationsFixture_ReportsEachViolationAtItsFileAndLine()
        {
            var api = Api();
            string violations = Fixture("Violations.cs"), more = Fixture("MoreViolations.cs");
            var result = Check(api, false, violations, more);

            AssertMatchesMarkers(result, violations);
            AssertMatchesMarkers(result, more);
            Assert.All(result.Findings, f => Assert.True(f.File == violations || f.File == more, f.ToString()));
            // Every kind of check fired: the API/compile step, and the IL scan (here from the host fallback,
            // since the nanoFramework compilation has errors and cannot be emitted).
            foreach (FindingKind kind in Enum.GetValues(typeof(FindingKind)))
                Assert.Contains(result.Findings, f => f.Kind == kind);
            Assert.StartsWith("host .NET", result.IlScanned);
        }

        [SkippableFact]
        public void Check_IlOnlyViolations_ScannedFromTheNanoFrameworkCompilation()
        {
            // MoreViolations.cs compiles against the stubs (multidimensional arrays and generics bind there),
            // so its IL comes from the nanoFramework compilation itself, not from the fallback.
            var api = Api();
            string more = Fixture("MoreViolations.cs");
            var result = Check(api, false, more);

            Assert.Equal("nanoFramework compilation", result.IlScanned);
            Assert.DoesNotContain(result.Findings, f => f.Kind == FindingKind.Compile);
            AssertMatchesMarkers(result, more);
        }

        [SkippableFact]
        public void Check_CleanFixture_NoFindings()
        {
            var result = Check(Api(), false, Fixture("Clean.cs"));

            Assert.Empty(result.Findings);
            Assert.Equal("nanoFramework compilation", result.IlScanned);
        }

        /// <summary>
        /// The real device-side sources (src/Mote.Runtime: format, Model, Interpreter, reference kernels).
        /// State when this gate was written: no findings. A finding here means a change used something
        /// nanoFramework 1.17 does not have; the message names the file, line and what to replace.
        /// </summary>
        [SkippableFact]
        public void Check_DeviceSources_NoFindings()
        {
            var api = Api();
            var result = Check(api, false, Program.DefaultPaths.Select(p => Path.Combine(SharedData.RepoRoot, p)).ToArray());

            Assert.True(result.Files.Count >= 20, "expected the device sources, found " + result.Files.Count + " files");
            Assert.DoesNotContain(result.Files, f => f.Contains("/obj/", StringComparison.Ordinal));
            Assert.True(result.Findings.Count == 0, "device sources are not nanoFramework-compatible:\n" + string.Join("\n", result.Findings));
            Assert.Equal("nanoFramework compilation", result.IlScanned);
        }

        /// <summary>
        /// Against mscorlib alone (no nanoFramework library packages), the device sources' only gap is
        /// System.Math: mscorlib 1.17 has none, so the .nfproj needs the nanoFramework.System.Math package
        /// (its Min/Max/Abs(int) are managed code) for the kernels' Math.Min/Max(int) calls.
        /// </summary>
        [SkippableFact]
        public void Check_DeviceSources_AgainstMscorlibAlone_NeedOnlySystemMath()
        {
            string apis = SharedData.Require("apis");
            var api = NanoApi.Load(new[] { Path.Combine(apis, NanoApi.MscorlibListing) });
            var result = Check(api, false, Program.DefaultPaths.Select(p => Path.Combine(SharedData.RepoRoot, p)).ToArray());

            Assert.All(result.Findings, f => Assert.True(
                f.Message.Contains("'Math'", StringComparison.Ordinal) || f.Message.Contains("System.Math.", StringComparison.Ordinal),
                "a dependency beyond mscorlib other than System.Math: " + f));
        }

        /// <summary>One statement per case, checked inside a method body: what the stubs must reject or accept.</summary>
        [SkippableTheory]
        [InlineData("byte[] a = new byte[4], b = new byte[4]; Buffer.BlockCopy(a, 0, b, 0, 4);", FindingKind.Compile)]     // no Buffer in nF
        [InlineData("var t = (1, 2);", FindingKind.Compile)]                                                                 // no ValueTuple
        [InlineData("int? x = null;", FindingKind.Compile)]                                                                  // no Nullable<T>
        [InlineData("decimal d = 1m;", FindingKind.Compile)]                                                                 // no decimal
        [InlineData("float f = MathF.Sqrt(2f);", FindingKind.Compile)]                                                       // no MathF
        [InlineData("string s = string.Join(\",\", new string[0]);", FindingKind.Compile)]                                   // no string.Join
        [InlineData("int x = 1; x = x switch { 1 => 2, _ => 3 };", FindingKind.Compile)]                                     // C# 8
        [InlineData("double d = Math.Sqrt(2.0);", FindingKind.FloatMath)]                                                    // native-only float math
        [InlineData("double d = Math.Floor(2.5);", FindingKind.FloatMath)]
        [InlineData("Action<int> a = v => { };", FindingKind.Generic)]                                                      // listed, but generic
        [InlineData("var g = new byte[2, 2, 2];", FindingKind.MultiDimArray)]
        public void Check_Snippet_ReportsExpectedKind(string statement, FindingKind kind)
        {
            var result = CheckSnippet(statement);
            Assert.Contains(result.Findings, f => f.Kind == kind && f.Line == SnippetLine);
        }

        [SkippableTheory]
        [InlineData("var j = new int[3][]; j[0] = new int[2];")]
        [InlineData("byte[] a = new byte[4], b = new byte[4]; Array.Copy(a, 0, b, 0, 4);")]
        [InlineData("int m = Math.Max(1, Math.Abs(-2)); float f = Math.Min(1f, 2f); double c = Math.Clamp(3.0, 0.0, 1.0);")]
        [InlineData("var list = new System.Collections.ArrayList(); list.Add(1); object o = list[0];")]
        [InlineData("float f = BitConverter.ToSingle(new byte[4], 0); int i = BitConverter.ToInt32(new byte[4], 0);")]
        [InlineData("var sb = new System.Text.StringBuilder(); sb.Append(\"x\");")]
        [InlineData("long t = DateTime.UtcNow.Ticks; var ts = TimeSpan.FromMilliseconds(5);")]
        public void Check_Snippet_InNanoFrameworkSubset_NoFindings(string statement)
        {
            var result = CheckSnippet(statement);
            Assert.Empty(result.Findings);
        }

        [SkippableFact]
        public void Check_AllowNanoMath_AcceptsWhatSystemMathProvides_StillRejectsTheRest()
        {
            var strict = CheckSnippet("double d = Math.Exp(1.0); double p = Math.Pow(2.0, 3.0);");
            Assert.Equal(2, strict.Findings.Count(f => f.Kind == FindingKind.FloatMath));

            var lenient = CheckSnippet("double d = Math.Exp(1.0); double p = Math.Pow(2.0, 3.0);", allowNanoMath: true);
            Assert.Empty(lenient.Findings);

            var missing = CheckSnippet("double r = Math.Round(2.5, 1);", allowNanoMath: true);   // Round(double, int) is not in nF
            Assert.Contains(missing.Findings, f => f.Line == SnippetLine);
        }

        const int SnippetLine = 6;

        CheckResult CheckSnippet(string statement, bool allowNanoMath = false)
        {
            var api = Api();
            string dir = Path.Combine(Path.GetTempPath(), "nanocheck-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string file = Path.Combine(dir, "Snippet.cs");
                File.WriteAllText(file, string.Join("\n",
                    "using System;",                       // 1
                    "static class Snippet",                // 2
                    "{",                                   // 3
                    "    static void Run()",               // 4
                    "    {",                               // 5
                    "        " + statement,                // 6 = SnippetLine
                    "    }",
                    "}"));
                return Check(api, allowNanoMath, file);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [SkippableFact]
        public void Stubs_EveryListingEntryReproduced()
        {
            var api = Api();
            foreach (var n in api.Notes) _out.WriteLine(n);
            Assert.Empty(api.Notes);
            Assert.Contains(api.Listings, l => l.Name == NanoApi.MscorlibListing);
            Assert.Contains(api.Listings, l => l.Name == NanoApi.MathListing);
            Assert.DoesNotContain(api.Listings, l => l.Name.Contains("v2.0", StringComparison.Ordinal));
            // The stubs define System.Object themselves: nothing from .NET is referenced.
            Assert.Contains("public class Object", api.StubSource);
        }

        // ---- the command line --------------------------------------------------------------------------

        (int Code, string Stdout, string Stderr) Run(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Program.Run(args, stdout, stderr, AppContext.BaseDirectory);
            _out.WriteLine(stdout.ToString());
            _out.WriteLine(stderr.ToString());
            return (code, stdout.ToString(), stderr.ToString());
        }

        [SkippableFact]
        public void Run_Violations_PrintsFileLineFindingsAndSummary_ExitsOne()
        {
            string apis = SharedData.Require("apis");
            var (code, stdout, _) = Run("--apis", apis, "Fixtures/MoreViolations.cs");

            Assert.Equal(1, code);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("Fixtures/MoreViolations.cs:8: multidimensional array int[,]", StringComparison.Ordinal));
            Assert.All(lines.Take(lines.Length - 1), l => Assert.Matches(@"^Fixtures/MoreViolations\.cs:\d+: ", l));
            Assert.StartsWith("nanocheck: 4 findings in 1 file (3 generics, 1 multidimensional array; ", lines[^1]);
        }

        [SkippableFact]
        public void Run_CleanSource_PrintsNoFindings_ExitsZero()
        {
            string apis = SharedData.Require("apis");
            var (code, stdout, _) = Run("--apis", apis, "Fixtures/Clean.cs");

            Assert.Equal(0, code);
            Assert.StartsWith("nanocheck: no findings (1 file checked against nanoFramework 1.17 mscorlib + ", stdout.Trim());
        }

        [Fact]
        public void Run_Help_ExplainsAndExitsZero()
        {
            var (code, stdout, _) = Run("--help");
            Assert.Equal(0, code);
            Assert.Contains("Usage: tools/nanocheck", stdout);
            Assert.Contains("localloc", stdout);
        }

        [Fact]
        public void Run_MissingListings_ExitsTwoNamingTheFix()
        {
            var (code, _, stderr) = Run("--apis", Path.Combine(Path.GetTempPath(), "no-such-apis-" + Guid.NewGuid().ToString("N")), "Fixtures/Clean.cs");
            Assert.Equal(2, code);
            Assert.Contains("--apis", stderr);
        }

        [Fact]
        public void Run_UnknownOption_ExitsTwo()
        {
            var (code, _, stderr) = Run("--frobnicate");
            Assert.Equal(2, code);
            Assert.Contains("unknown option", stderr);
        }
    }
}
