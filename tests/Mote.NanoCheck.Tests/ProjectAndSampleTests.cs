using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Mote.NanoCheck;
using Mote.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Mote.NanoCheck.Tests
{
    /// <summary>
    /// The nanoFramework projects (.nfproj) and the samples, stub-checked: nanocheck --nfproj compiles
    /// exactly a project's Compile items against the nanoFramework 1.17 stubs; --dotnet-iot compiles the
    /// Raspberry Pi sample against .NET 8 plus stubs of the dotnet/iot listings. Each mode is also shown
    /// to fail on misuse (Fixtures/Samples, "// expect:" markers). Needs ../shared/apis (skips without it,
    /// fails under CI=true).
    /// </summary>
    public sealed class ProjectAndSampleTests
    {
        readonly ITestOutputHelper _out;
        public ProjectAndSampleTests(ITestOutputHelper output) => _out = output;

        static string Repo(string relative) => Path.Combine(SharedData.RepoRoot, relative);

        (int code, string stdout, string stderr) Run(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Program.Run(args, stdout, stderr, SharedData.RepoRoot);
            _out.WriteLine(stdout.ToString());
            _out.WriteLine(stderr.ToString());
            return (code, stdout.ToString(), stderr.ToString());
        }

        static List<string> RuntimeSources() =>
            NanoChecker.CollectSources(new[] { Repo("src/Mote.Runtime") }).ToList();

        [SkippableFact]
        public void Nfproj_MoteNanoFramework_NativeBuild_RuntimeAndInterop_NoFindings()
        {
            string apis = SharedData.Require("apis");
            string project = Repo("src/Mote.NanoFramework/Mote.NanoFramework.nfproj");
            var files = NfProject.CompileItems(project, new Dictionary<string, string>());
            Assert.Contains(Repo("firmware/nanoframework/managed/MoteNative.cs"), files);
            Assert.Contains(Repo("firmware/nanoframework/managed/AssemblyInfo.cs"), files);
            Assert.Contains(Repo("src/Mote.NanoFramework/ModelRunner.cs"), files);
            Assert.All(RuntimeSources(), f => Assert.Contains(f, files));
            Assert.DoesNotContain(files, f => f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar));

            var (code, stdout, _) = Run("--apis", apis, "--nfproj", project);
            Assert.Equal(0, code);
            Assert.Contains("nanocheck: no findings (" + files.Count + " files", stdout);
        }

        [SkippableFact]
        public void Nfproj_MoteNanoFramework_ManagedBuild_LeavesOutNative_NoFindings()
        {
            string apis = SharedData.Require("apis");
            string project = Repo("src/Mote.NanoFramework/Mote.NanoFramework.nfproj");
            var files = NfProject.CompileItems(project, new Dictionary<string, string> { ["MoteNativeKernels"] = "false" });
            Assert.DoesNotContain(files, f => f.EndsWith("MoteNative.cs", StringComparison.Ordinal) || f.EndsWith("ModelRunner.cs", StringComparison.Ordinal));
            Assert.Equal(RuntimeSources().Count + 1, files.Count);

            var (code, _, _) = Run("--apis", apis, "--nfproj", project, "-p", "MoteNativeKernels=false");
            Assert.Equal(0, code);
        }

        [SkippableFact]
        public void Nfproj_NFUnitTest_KernelAndWholeModelTests_NoFindings()
        {
            string apis = SharedData.Require("apis");
            string project = Repo("tests/Mote.NanoFramework.Tests/NFUnitTest.nfproj");
            var ns = XNamespace.Get("http://schemas.microsoft.com/developer/msbuild/2003");
            Assert.Equal("NFUnitTest", XDocument.Load(project).Descendants(ns + "AssemblyName").Single().Value);
            var files = NfProject.CompileItems(project, new Dictionary<string, string>());
            Assert.Contains(Repo("tests/Mote.NanoFramework.Tests/HelloWorldModel.cs"), files);
            Assert.Contains(Repo("tests/Mote.NanoFramework.Tests/WholeModelTests.cs"), files);

            var (code, _, _) = Run("--apis", apis, "--nfproj", project);
            Assert.Equal(0, code);
        }

        [SkippableFact]
        public void Nfproj_Esp32Sample_NoFindings()
        {
            string apis = SharedData.Require("apis");
            var (code, stdout, _) = Run("--apis", apis, "--allow-nf-math", "--nfproj", Repo("src/Samples/Esp32.ImuAnomaly/Esp32.ImuAnomaly.nfproj"));
            Assert.Equal(0, code);
            Assert.Contains("no findings", stdout);
        }

        [SkippableFact]
        public void Check_Esp32Misuse_ReportsEachMarkedLine()
        {
            string apis = SharedData.Require("apis");
            string file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Samples", "Esp32Misuse.cs");
            var (code, stdout, _) = Run("--apis", apis, "--allow-nf-math", file);
            Assert.Equal(1, code);
            AssertMarkedLinesOnly(file, stdout);
        }

        [SkippableFact]
        public void DotnetIot_PiSample_NoFindings()
        {
            SharedData.Require("apis");
            var (code, stdout, _) = Run("--dotnet-iot", Repo("src/Samples/RaspberryPi.ImuAnomaly"), Repo("src/Samples/Common"), Repo("src/Mote.Runtime"));
            Assert.Equal(0, code);
            Assert.Contains("no findings", stdout);
            Assert.Contains("dotnet/iot listings", stdout);
        }

        [SkippableFact]
        public void DotnetIot_PiMisuse_ReportsEachMarkedLine()
        {
            SharedData.Require("apis");
            string file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Samples", "PiMisuse.cs");
            var (code, stdout, _) = Run("--dotnet-iot", file);
            Assert.Equal(1, code);
            AssertMarkedLinesOnly(file, stdout);
        }

        [Fact]
        public void Nfproj_CompileItemMatchingNothing_ExitsTwoNamingIt()
        {
            string dir = Path.Combine(Path.GetTempPath(), "nanocheck-nfproj-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string project = Path.Combine(dir, "Broken.nfproj");
                File.WriteAllText(project, "<Project xmlns=\"http://schemas.microsoft.com/developer/msbuild/2003\"><ItemGroup>"
                    + "<Compile Include=\"..\\nowhere\\**\\*.cs\" /></ItemGroup></Project>");
                var (code, _, stderr) = Run("--nfproj", project);
                Assert.Equal(2, code);
                Assert.Contains("'..\\nowhere\\**\\*.cs' matches no file", stderr);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Nfproj_ConditionNotUnderstood_ExitsTwo()
        {
            string dir = Path.Combine(Path.GetTempPath(), "nanocheck-nfproj-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                File.WriteAllText(Path.Combine(dir, "A.cs"), "class A { }");
                string project = Path.Combine(dir, "Cond.nfproj");
                File.WriteAllText(project, "<Project><ItemGroup Condition=\"Exists('x')\"><Compile Include=\"A.cs\" /></ItemGroup></Project>");
                var (code, _, stderr) = Run("--nfproj", project);
                Assert.Equal(2, code);
                Assert.Contains("condition not understood", stderr);
            }
            finally { Directory.Delete(dir, true); }
        }

        [SkippableFact]
        public void Check_FieldLikeEventInHostFallback_NoCompilerGeneratedGenericFinding()
        {
            // Against mscorlib alone Math does not bind, so the IL comes from the host fallback, whose
            // event accessors use Interlocked.CompareExchange<T>; nanoFramework's compiler output would not.
            string apis = SharedData.Require("apis");
            string dir = Path.Combine(Path.GetTempPath(), "nanocheck-event-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string file = Path.Combine(dir, "Events.cs");
                File.WriteAllText(file, "class E\n{\n    public event System.EventHandler Changed;\n"
                    + "    int M(int a, int b) { return System.Math.Max(a, b); }\n"
                    + "    void R() { if (Changed != null) Changed(this, null); }\n}\n");
                var api = NanoApi.Load(new[] { Path.Combine(apis, NanoApi.MscorlibListing) });
                var result = NanoChecker.Check(new CheckOptions { Paths = new[] { file }, Api = api });
                foreach (var f in result.Findings) _out.WriteLine(f.ToString());
                Assert.Contains(result.Findings, f => f.Line == 4);
                Assert.DoesNotContain(result.Findings, f => f.Kind == FindingKind.Generic);
            }
            finally { Directory.Delete(dir, true); }
        }

        /// <summary>Every "// expect: text" line has a finding containing text; no finding elsewhere.</summary>
        static void AssertMarkedLinesOnly(string file, string stdout)
        {
            string[] lines = File.ReadAllLines(file);
            var expected = new Dictionary<int, string>();
            for (int i = 0; i < lines.Length; i++)
            {
                int at = lines[i].IndexOf("// expect: ", StringComparison.Ordinal);
                if (at > 0 && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) expected[i + 1] = lines[i].Substring(at + 11).Trim();
            }
            Assert.NotEmpty(expected);
            string shown = Program.DisplayPath(file, SharedData.RepoRoot);
            var findings = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.StartsWith(shown + ":", StringComparison.Ordinal))
                .Select(l => (line: int.Parse(l.Substring(shown.Length + 1).Split(':')[0]), text: l))
                .ToList();
            foreach (var (line, text) in expected)
                Assert.True(findings.Any(f => f.line == line && f.text.Contains(text, StringComparison.Ordinal)),
                    "expected a finding containing '" + text + "' on line " + line);
            foreach (var f in findings)
                Assert.True(expected.ContainsKey(f.line), "unexpected finding: " + f.text);
        }
    }
}
