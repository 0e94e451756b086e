using System;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>
    /// RequantStride 0 (one multiplier and shift for every channel, blob format 1.2) against the same
    /// entry repeated per channel with RequantStride 1: the outputs must be identical byte for byte.
    /// </summary>
    public class SharedRequantizationKernelTests
    {
        /// <summary>
        /// Quant bytes for <paramref name="channels"/> channels at offset 8 (garbage before, to catch a
        /// wrong start): shared = one multiplier then one shift; repeated = the per-channel layout.
        /// </summary>
        static byte[] Quant(int multiplier, int shift, int channels, bool shared, out int multiplierStart, out int shiftStart)
        {
            int entries = shared ? 1 : channels;
            var values = new int[2 + 2 * entries];
            values[0] = 123456789;
            values[1] = 77;
            for (int c = 0; c < entries; c++)
            {
                values[2 + c] = multiplier;
                values[2 + entries + c] = shift;
            }
            multiplierStart = 8;
            shiftStart = 8 + 4 * entries;
            return I32(values);
        }

        static byte[] Random8(Random rng, int n)
        {
            var b = new byte[n];
            rng.NextBytes(b);
            return b;
        }

        static byte[] RandomBias(Random rng, int n)
        {
            var v = new int[n];
            for (int i = 0; i < n; i++) v[i] = rng.Next(-5000, 5000);
            return I32(v);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void Conv2D_SharedEntry_EqualsRepeatedTable(int seed)
        {
            var rng = new Random(seed);
            int cin = 3, cout = 5;
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 5, InputWidth = 4, InputChannels = cin, FilterHeight = 3, FilterWidth = 3,
                OutputHeight = 5, OutputWidth = 4, OutputChannels = cout, StrideHeight = 1, StrideWidth = 1,
                DilationHeight = 1, DilationWidth = 1, PadTop = 1, PadLeft = 1, DepthMultiplier = 1,
                InputOffset = 3, OutputOffset = -7, ActivationMin = -128, ActivationMax = 127,
            };
            byte[] input = Random8(rng, 5 * 4 * cin), filter = Random8(rng, cout * 9 * cin), bias = RandomBias(rng, cout);
            int multiplier = 1_300_000_000 + rng.Next(100_000), shift = -8 - rng.Next(3);
            var perChannel = new byte[5 * 4 * cout];
            var shared = new byte[perChannel.Length];

            var q = Quant(multiplier, shift, cout, false, out int ms, out int ss);
            Conv2D.Eval(p, input, 0, filter, 0, bias, 0, q, ms, ss, perChannel, 0);
            p.RequantStride = 0;
            q = Quant(multiplier, shift, cout, true, out ms, out ss);
            Conv2D.Eval(p, input, 0, filter, 0, bias, 0, q, ms, ss, shared, 0);

            Assert.Equal(perChannel, shared);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void DepthwiseConv2D_SharedEntry_EqualsRepeatedTable(int seed)
        {
            var rng = new Random(seed);
            int cin = 3, mult = 2, cout = cin * mult;
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 4, InputWidth = 4, InputChannels = cin, FilterHeight = 3, FilterWidth = 3,
                OutputHeight = 2, OutputWidth = 2, OutputChannels = cout, StrideHeight = 2, StrideWidth = 2,
                DilationHeight = 1, DilationWidth = 1, PadTop = 0, PadLeft = 0, DepthMultiplier = mult,
                InputOffset = -5, OutputOffset = 4, ActivationMin = -100, ActivationMax = 127,
            };
            byte[] input = Random8(rng, 16 * cin), filter = Random8(rng, 9 * cout), bias = RandomBias(rng, cout);
            int multiplier = 1_500_000_000 + rng.Next(100_000), shift = -7;
            var perChannel = new byte[4 * cout];
            var shared = new byte[perChannel.Length];

            var q = Quant(multiplier, shift, cout, false, out int ms, out int ss);
            DepthwiseConv2D.Eval(p, input, 0, filter, 0, bias, 0, q, ms, ss, perChannel, 0);
            p.RequantStride = 0;
            q = Quant(multiplier, shift, cout, true, out ms, out ss);
            DepthwiseConv2D.Eval(p, input, 0, filter, 0, bias, 0, q, ms, ss, shared, 0);

            Assert.Equal(perChannel, shared);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void FullyConnected_SharedEntry_EqualsRepeatedTable(int seed)
        {
            var rng = new Random(seed);
            int depth = 16, outDepth = 7, batches = 2;
            var p = new FullyConnectedParams
            {
                Batches = batches, AccumDepth = depth, OutputDepth = outDepth,
                InputOffset = 1, FilterOffset = 0, OutputOffset = -3, ActivationMin = -128, ActivationMax = 127,
            };
            byte[] input = Random8(rng, batches * depth), filter = Random8(rng, outDepth * depth), bias = RandomBias(rng, outDepth);
            int multiplier = 1_100_000_000 + rng.Next(100_000), shift = -9;
            var perChannel = new byte[batches * outDepth];
            var shared = new byte[perChannel.Length];

            var q = Quant(multiplier, shift, outDepth, false, out int ms, out int ss);
            FullyConnected.Eval(p, input, 0, filter, 0, bias, 0, q, ms, ss, perChannel, 0);
            p.RequantStride = 0;
            q = Quant(multiplier, shift, outDepth, true, out ms, out ss);
            FullyConnected.Eval(p, input, 0, filter, 0, bias, 0, q, ms, ss, shared, 0);

            Assert.Equal(perChannel, shared);
        }

        [Fact]
        public void Params_DefaultRequantStride_IsPerChannel()
        {
            // Callers that build parameters themselves (tests, vector generators) keep per-channel tables.
            Assert.Equal(1, new ConvParams().RequantStride);
            Assert.Equal(1, new FullyConnectedParams().RequantStride);
        }
    }
}
