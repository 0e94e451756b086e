using System.IO;
using Mote.Packer.Tests.Models;
using Mote.Runtime;
using Xunit;

namespace Mote.Kernels.Simd.Tests
{
    /// <summary>Every in-scope shared model, all 8 samples, with the SIMD kernels: TFLM's bytes exactly.</summary>
    public class SharedModelTests
    {
        [SkippableTheory]
        [MemberData(nameof(SharedModels.ModelSamples), MemberType = typeof(SharedModels))]
        public void SimdKernels_SharedModelSample_MatchesTflmOutput(string model, int sample)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            string dir = SharedModels.VectorDir(model);
            var it = new Interpreter(Model.Load(packed.Blob)) { Kernels = new SimdKernelSet() };
            var input = File.ReadAllBytes(Path.Combine(dir, $"input_{sample}.bin"));
            int at = 0;
            for (int i = 0; i < it.InputCount; i++) { it.GetInput(i).CopyFrom(input, at); at += it.GetInput(i).Bytes; }
            it.Invoke();
            var expected = File.ReadAllBytes(Path.Combine(dir, $"output_{sample}.bin"));
            var actual = new byte[expected.Length];
            at = 0;
            for (int i = 0; i < it.OutputCount; i++) { it.GetOutput(i).CopyTo(actual, at); at += it.GetOutput(i).Bytes; }
            Assert.Equal(expected.Length, at);
            Assert.Equal(expected, actual);
        }
    }
}
