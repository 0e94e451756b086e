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

        /// <summary>The SIMD kernels keep the runtime's rule: a warm Invoke allocates nothing (scratch lives on the stack or in the arena).</summary>
        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void SimdKernels_RepeatedInvoke_AllocatesNothing(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            var it = new Interpreter(Model.Load(packed.Blob)) { Kernels = new SimdKernelSet() };
            var rng = new System.Random(7);
            for (int i = 0; i < it.InputCount; i++)
            {
                var v = it.GetInput(i);
                for (int k = 0; k < v.Bytes; k++) v.Buffer[v.Start + k] = (byte)rng.Next(256);
            }
            it.Invoke(); // first call: JIT and static initialization are not the kernels' allocations
            int runs = model.Contains("resnet_large") || model.Contains("vww") || model.Contains("person") ? 3 : 20;
            Assert.Equal(0, Mote.Tests.Common.Allocations.SteadyState(it.Invoke, runs));
        }
    }
}
