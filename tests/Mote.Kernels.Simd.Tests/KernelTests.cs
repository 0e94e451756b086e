using System;
using System.Runtime.Intrinsics;
using Mote.Kernels.Simd;
using Xunit;

namespace Mote.Kernels.Simd.Tests
{
    /// <summary>SIMD kernels against the reference kernels (the oracle), on this machine's path.</summary>
    public unsafe class KernelTests
    {
        static int ScalarDot(sbyte[] x, sbyte[] w, int n, int offset)
        {
            int s = 0;
            for (int i = 0; i < n; i++) s = unchecked(s + w[i] * (x[i] + offset));
            return s;
        }

        [SkippableFact]
        public void DotVector128_Lengths0To65AndEdgeValues_EqualsScalar()
        {
            Skip.IfNot(Vector128.IsHardwareAccelerated, "Vector128 is not hardware-accelerated in this process (the ISA legs cover it)");
            var r = new Random(5);
            int[] offsets = { -127, 0, 1, 128, 37 };
            for (int n = 0; n <= 4 * 16 + 1; n++)
                for (int mode = 0; mode < 4; mode++)
                    foreach (int off in offsets)
                    {
                        var x = new sbyte[n + 1]; var w = new sbyte[n + 1];
                        for (int i = 0; i < n; i++)
                        {
                            x[i] = mode == 1 ? (sbyte)-128 : mode == 2 ? (sbyte)127 : mode == 3 ? (sbyte)(i % 2 == 0 ? -128 : 127) : (sbyte)r.Next(-128, 128);
                            w[i] = mode == 1 ? (sbyte)-128 : mode == 2 ? (sbyte)-128 : (sbyte)r.Next(-128, 128);
                        }
                        fixed (sbyte* px = x, pw = w)
                            Assert.Equal(ScalarDot(x, w, n, off), DotLeaf.DotVector128(px, pw, n, off));
                    }
        }

        [Fact]
        public void Requant_ShiftsMinus31To30EdgeMultipliersAndAccumulators_BitExactWithFixedPoint()
        {
            Assert.True(RandomCases.RequantSweep() > 100000);
        }

        [Fact]
        public void FullyConnected_Depths0To65_BitExactWithReference()
        {
            for (int depth = 0; depth <= 4 * 16 + 1; depth++)
                for (int seed = 0; seed < 7; seed++)
                    Assert.Null(RandomCases.FullyConnected(seed, depth));
        }

        [Fact]
        public void Conv2D_RandomShapesPaddingStridesDilation_BitExactWithReference()
        {
            for (int seed = 0; seed < 400; seed++)
                Assert.Null(RandomCases.Conv(seed));
        }

        [Fact]
        public void DepthwiseConv2D_RandomShapesPaddingStridesDilation_BitExactWithReference()
        {
            for (int seed = 0; seed < 400; seed++)
                Assert.Null(RandomCases.Depthwise(seed));
        }
    }
}
