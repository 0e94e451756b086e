using System.IO;
using System.Linq;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// Nothing in ../shared is left out of the bit-exact tests by accident: every real model is in
    /// <see cref="SharedModels.InScope"/> and every single-op case matches an <see cref="SharedModels.OpzooOps"/> prefix.
    /// </summary>
    public class ScopeTests
    {
        [SkippableFact]
        public void EverySharedModel_IsInScope()
        {
            var models = Directory.GetFiles(SharedData.Require("models"), "*.tflite").Select(Path.GetFileNameWithoutExtension).OrderBy(m => m).ToList();
            Assert.True(models.Count >= 23, $"expected the 23 shared models, found {models.Count}");
            var missing = models.Except(SharedModels.InScope).ToList();
            Assert.True(missing.Count == 0, "shared models not in SharedModels.InScope: " + string.Join(", ", missing));
        }

        [SkippableFact]
        public void EveryOpzooCase_IsCovered()
        {
            var cases = Directory.GetFiles(SharedData.Require("opzoo"), "*.tflite").Select(Path.GetFileNameWithoutExtension).ToList();
            Assert.NotEmpty(cases);
            var covered = SharedModels.OpzooCases().Select(c => (string)c[0]).ToHashSet();
            var missing = cases.Where(c => !covered.Contains(c)).ToList();
            Assert.True(missing.Count == 0, "opzoo cases no bit-exact test covers: " + string.Join(", ", missing));
        }
    }
}
