using System;
using System.IO;
using Xunit;

namespace Mote.Tests.Common
{
    /// <summary>
    /// Locates the read-only <c>../shared</c> folder (models, opzoo, apis) beside the repository.
    /// Where it is absent (a user's clone) tests that need it skip with a reason; under CI
    /// (<c>CI=true</c>) it must be there, so its absence fails the test instead of hiding it.
    /// Use only from [SkippableFact]/[SkippableTheory] tests.
    /// </summary>
    public static class SharedData
    {
        public static string RepoRoot { get; } = FindRepoRoot();

        static string FindRepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Runtime.sln")))
                dir = dir.Parent;
            if (dir == null)
                throw new InvalidOperationException("Runtime.sln not found above " + AppContext.BaseDirectory);
            return dir.FullName;
        }

        /// <summary>The shared folder, or null when it does not exist.</summary>
        public static string Root
        {
            get
            {
                string env = Environment.GetEnvironmentVariable("MOTE_SHARED");
                string path = string.IsNullOrEmpty(env) ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared")) : env;
                return Directory.Exists(path) ? path : null;
            }
        }

        public static bool IsCi =>
            string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Returns ../shared/&lt;sub&gt;; skips the test when absent, fails it under CI.</summary>
        public static string Require(string sub)
        {
            string root = Root;
            string path = root == null ? null : Path.Combine(root, sub);
            bool present = path != null && (Directory.Exists(path) || File.Exists(path));
            if (!present)
            {
                string reason = "../shared/" + sub + " is not present beside the repository (it ships with the Mote workspace, not with a clone)";
                if (IsCi) Assert.Fail("CI=true but " + reason);
                Skip.If(true, reason);
            }
            return path;
        }

        /// <summary>For [MemberData]: directory listing that is empty (not throwing) when shared is absent;
        /// the consuming test then calls <see cref="Require"/> which skips or fails.</summary>
        public static string[] ListOrEmpty(string sub, string pattern)
        {
            string root = Root;
            if (root == null || !Directory.Exists(Path.Combine(root, sub))) return new string[0];
            var files = Directory.GetFiles(Path.Combine(root, sub), pattern);
            Array.Sort(files, StringComparer.Ordinal);
            return files;
        }
    }
}
