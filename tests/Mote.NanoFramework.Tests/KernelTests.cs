// nanoFramework unit tests (nanoFramework.TestFramework): the key reference kernels with
// hand-computed expectations — the same cases as tests/Mote.Runtime.Tests/Kernels, which the host
// proves bit-exact with TFLM. Here they show the same integer code gives the same bytes on nanoCLR.
// Compiled here only by tools/nanocheck (stub-checked); run in Visual Studio or with nanoCLR.
using Mote.Runtime.Kernels;
using nanoFramework.TestFramework;

namespace Mote.NanoFramework.Tests
{
    [TestClass]
    public class KernelTests
    {
        static byte[] I8(sbyte[] values)
        {
            byte[] b = new byte[values.Length];
            for (int i = 0; i < values.Length; i++) b[i] = (byte)values[i];
            return b;
        }

        static byte[] I32(int[] values)
        {
            byte[] b = new byte[4 * values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                int v = values[i];
                b[4 * i] = (byte)v;
                b[4 * i + 1] = (byte)(v >> 8);
                b[4 * i + 2] = (byte)(v >> 16);
                b[4 * i + 3] = (byte)(v >> 24);
            }
            return b;
        }

        [TestMethod]
        public void SaturatingRoundingDoublingHighMul_MinTimesMin_SaturatesToMax()
        {
            Assert.AreEqual(int.MaxValue, FixedPoint.SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue));
        }

        [TestMethod]
        public void SaturatingRoundingDoublingHighMul_TimesHalf_RoundsHalvesUp()
        {
            // x * 0.5 (multiplier 2^30): 1.5 -> 2, -1.5 -> -1, 2.5 -> 3, -2.5 -> -2.
            Assert.AreEqual(2, FixedPoint.SaturatingRoundingDoublingHighMul(3, 1 << 30));
            Assert.AreEqual(-1, FixedPoint.SaturatingRoundingDoublingHighMul(-3, 1 << 30));
            Assert.AreEqual(3, FixedPoint.SaturatingRoundingDoublingHighMul(5, 1 << 30));
            Assert.AreEqual(-2, FixedPoint.SaturatingRoundingDoublingHighMul(-5, 1 << 30));
        }

        [TestMethod]
        public void RoundingDivideByPOT_Halves_RoundAwayFromZero()
        {
            Assert.AreEqual(2, FixedPoint.RoundingDivideByPOT(3, 1));
            Assert.AreEqual(-2, FixedPoint.RoundingDivideByPOT(-3, 1));
            Assert.AreEqual(-1, FixedPoint.RoundingDivideByPOT(-1, 1));
        }

        [TestMethod]
        public void FullyConnected_TwoBatchesPerChannelMultipliers_MatchesHandComputation()
        {
            // Input [2, 3] zero point -1; filter [2, 3]; bias (1, -2); multipliers 0.5 and 0.75 x 2^2;
            // output offset 5 -> (13, 5, 11, 11). Derivation: FullyConnectedTests.cs on the host.
            var p = new FullyConnectedParams();
            p.Batches = 2; p.AccumDepth = 3; p.OutputDepth = 2;
            p.InputOffset = 1; p.FilterOffset = 0; p.OutputOffset = 5;
            p.ActivationMin = -128; p.ActivationMax = 127;
            byte[] output = new byte[4];

            FullyConnected.Eval(p, I8(new sbyte[] { 0, 1, 2, -1, -2, 3 }), 0, I8(new sbyte[] { 1, 2, 3, -1, 0, 1 }), 0,
                I32(new int[] { 1, -2 }), 0, I32(new int[] { 1 << 30, 1610612736, 0, 2 }), 0, 8, output, 0);

            Assert.AreEqual((sbyte)13, (sbyte)output[0]);
            Assert.AreEqual((sbyte)5, (sbyte)output[1]);
            Assert.AreEqual((sbyte)11, (sbyte)output[2]);
            Assert.AreEqual((sbyte)11, (sbyte)output[3]);
        }

        [TestMethod]
        public void FullyConnected_NoBiasWithFilterOffsetAndClamp_ClampsToActivationMin()
        {
            var p = new FullyConnectedParams();
            p.Batches = 1; p.AccumDepth = 2; p.OutputDepth = 1;
            p.InputOffset = 0; p.FilterOffset = 1; p.OutputOffset = 0;
            p.ActivationMin = -40; p.ActivationMax = 40;
            byte[] output = new byte[1];

            FullyConnected.Eval(p, I8(new sbyte[] { 10, -20 }), 0, I8(new sbyte[] { 2, 3 }), 0, null, -1,
                I32(new int[] { 1 << 30, 1 }), 0, 4, output, 0);

            Assert.AreEqual((sbyte)-40, (sbyte)output[0]);
        }
    }
}
