using System;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests.Kernels
{
    public class UnidirectionalSequenceLstmTests
    {
        // ------------------------------------------------------------ int16 sigmoid / tanh (TFLM's table)

        [Theory]
        // x = 0: table[0] = 32768 -> (32768 << 9) + 2^9 >> 10 = 16384 = 0.5 in Q0.15.
        [InlineData(0, 16384)]
        // x = 512 (0.125 in Q3.12): 3x = 1536 = 3 << 9, exactly table[3] = 34813 -> (34813 * 512 + 512) / 1024 = 17407.
        [InlineData(512, 17407)]
        // Negative side mirrors: 2^25 - 34813 * 512 + 511 = 15733247 -> >> 10 = 15361 (= 32768 - 17407).
        [InlineData(-512, 15361)]
        // x = 4096 (1.0): sigmoid(1) * 32768 = 23955.3; the table interpolation gives 23956.
        [InlineData(4096, 23956)]
        // x = 32767 (8.0): sigmoid(8) * 32768 = 32757.0; index 191, not yet saturated.
        [InlineData(32767, 32757)]
        // x = -32768: 1 - sigmoid(8) -> 11.
        [InlineData(-32768, 11)]
        public void Int16Sigmoid_Q3_12_MatchesTflmTable(int x, int expected)
        {
            Assert.Equal(expected, UnidirectionalSequenceLstm.Int16Sigmoid(x, 0, 0));
        }

        [Fact]
        public void Int16Sigmoid_SaturatesBeyondTheTable()
        {
            // Left shift 1 (multiplier 6): |6x| >> 9 >= 255 saturates to 0x7FFF << 10:
            // positive (0x7FFF << 10 + 512) >> 10 = 32767; negative (2^25 - (0x7FFF << 10) + 511) >> 10 = 1.
            Assert.Equal(32767, UnidirectionalSequenceLstm.Int16Sigmoid(32767, 0, 1));
            Assert.Equal(1, UnidirectionalSequenceLstm.Int16Sigmoid(-32768, 0, 1));
        }

        [Theory]
        // tanh(0) = 0: (32768 << 8) - 2^23 + 2^7 = 128 -> >> 8 = 0.
        [InlineData(0, 0)]
        // x = 256 (0.0625): 3x = 768 = 3 << 8, table[3] -> (34813 * 256 - 2^23 + 128) >> 8 = 2045 (tanh * 32768 = 2045.4).
        [InlineData(256, 2045)]
        [InlineData(-256, -2045)]
        // x = 4096 (1.0): tanh(1) * 32768 = 24956.
        [InlineData(4096, 24956)]
        // Saturation: |3x| >> 8 >= 255 -> 0xFFFF << 8: (16776960 - 2^23 + 128) >> 8 = 32767,
        // (-16776960 + 2^23 + 127) >> 8 = floor(-32766.5) = -32767.
        [InlineData(32767, 32767)]
        [InlineData(-32768, -32767)]
        public void Int16Tanh_Q3_12_MatchesTflmTable(int x, int expected)
        {
            Assert.Equal(expected, UnidirectionalSequenceLstm.Int16Tanh(x, 0, 0));
        }

        [Fact]
        public void Int16Tanh_CellScalePowers_ScaleTheInputAsTflm()
        {
            // Cell scale 2^-11: left shift 15 - 11 - 3 = 1, multiplier 0 -> 3 << 1 = 6: x = 128 -> 768 -> 2045.
            Assert.Equal(2045, UnidirectionalSequenceLstm.Int16Tanh(128, 0, 1));
            // Cell scale 2^-13: left shift -1 -> shift 1 with multiplier 3: (512 * 3 + 1) >> 1 = 768 -> 2045.
            Assert.Equal(2045, UnidirectionalSequenceLstm.Int16Tanh(512, 3, 1));
        }

        // ------------------------------------------------------------ one LSTM step by hand

        // input 1, state 1, batch 1, 1 time step. Every FC requantization is the identity
        // (multiplier 2^30, shift 1: acc * 2 * 0.5). Input weights 1, recurrent weights 5.
        // Input x = 1 (zero point 0), hidden state starts at its zero point 3 (HiddenOffset -3),
        // so the recurrent FCs contribute 5 * (3 - 3) = 0 and the gate pre-activations are 1 + bias:
        //  forget 0 -> sigmoid 16384; input 512 -> sigmoid 17407; cell 256 -> tanh 2045;
        //  output 0 -> sigmoid 16384.
        // Cell (scale 2^-12) = 0 * forget + input * cell: 17407 * 2045 = 35597315, multiplier
        // 2^-30 / 2^-12 = 2^-18 = (2^30, -17): SRDHM -> 17798658, / 2^17 = 135.79 -> 136.
        // Hidden (scale 2^-7, zero point 3): tanh(136) = 3 * 136 = 408 -> index 1, fraction 152:
        //  (33451 << 8) + 152 * 682 - 2^23 + 128 = 278640 -> >> 8 = 1088;
        //  1088 * 16384 = 17825792, multiplier 2^-30 / 2^-7 = 2^-23 = (2^30, -22) -> 2.125 -> 2, + 3 = 5.
        static UnidirectionalSequenceLstmParams OneStepParams(int cellClip)
        {
            var p = new UnidirectionalSequenceLstmParams
            {
                TimeMajor = false, Batches = 1, TimeSteps = 1, InputSize = 1, StateSize = 1, StepBatches = 1,
                InputOffset = 0, HiddenOffset = -3, CellGateSigmoid = false, CellClip = cellClip,
                CellTanhMultiplier = 0, CellTanhLeftShift = 0,
                ForgetCellMultiplier = 1 << 30, ForgetCellShift = -14,
                InputCellMultiplier = 1 << 30, InputCellShift = -17,
                HiddenMultiplier = 1 << 30, HiddenShift = -22, HiddenZeroPoint = 3,
            };
            for (int k = 0; k < 8; k++) { p.GateMultipliers[k] = 1 << 30; p.GateShifts[k] = 1; }
            return p;
        }

        static (byte[][] inputs, int[] starts, byte[] state) OneStepInputs(int hidden, int cell)
        {
            var inputs = new byte[24][];
            var starts = new int[24];
            for (int k = 0; k < 24; k++) starts[k] = -1;
            void Set(int k, byte[] data) { inputs[k] = data; starts[k] = 0; }
            Set(0, new byte[] { 1 });
            for (int g = 0; g < 4; g++)
            {
                Set(1 + g, new byte[] { 1 });
                Set(5 + g, new byte[] { 5 });
            }
            int[] biases = { 511, -1, 255, -1 }; // input, forget, cell, output
            for (int g = 0; g < 4; g++) Set(12 + g, System.BitConverter.GetBytes(biases[g]));
            // Hidden (int8) and cell (int16) state share one "arena": hidden at 0, cell at 2.
            var state = new byte[4];
            state[0] = (byte)(sbyte)hidden;
            state[2] = (byte)cell; state[3] = (byte)(cell >> 8);
            inputs[18] = state; starts[18] = 0;
            inputs[19] = state; starts[19] = 2;
            return (inputs, starts, state);
        }

        [Fact]
        public void Eval_OneStep_MatchesHandComputation()
        {
            var p = OneStepParams(-1);
            var (inputs, starts, state) = OneStepInputs(3, 0);
            var output = new byte[1];

            UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, 0, new short[p.ScratchElements]);

            Assert.Equal(5, (sbyte)output[0]);
            Assert.Equal(5, (sbyte)state[0]);
            Assert.Equal(136, (short)(state[2] | (state[3] << 8)));
        }

        [Fact]
        public void Eval_OneStep_ClipsTheCellAndUsesThePreviousCell()
        {
            // Cell starts at 1000: forget * cell = 16384 * 1000 with multiplier 2^-15 = (2^30, -14) = 500;
            // + 136 = 636, clipped to 100. Hidden: tanh(100) = 300 -> index 1, fraction 44:
            // (33451 << 8) + 44 * 682 - 2^23 + 128 = 204984 -> 800; 800 * 16384 / 2^23 = 1.5625 -> 2, + 3 = 5.
            var p = OneStepParams(100);
            var (inputs, starts, state) = OneStepInputs(3, 1000);
            var output = new byte[1];

            UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, 0, new short[p.ScratchElements]);

            Assert.Equal(100, (short)(state[2] | (state[3] << 8)));
            Assert.Equal(5, (sbyte)output[0]);
        }

        [Fact]
        public void Eval_SecondStep_FeedsTheHiddenStateBack()
        {
            // Two time steps of x = 1. After step 1 (Eval_OneStep): hidden 5, cell 136. Step 2's
            // recurrent FCs add 5 * (5 - 3) = 10 to every gate: forget 10, input 522, cell 266, output 10.
            //  sigmoid(10): 3x = 30 -> index 0, fraction 30: (32768 << 9) + 30 * 683 + 512 = 16798218 -> 16404.
            //  sigmoid(522): 1566 -> index 3, fraction 30: (34813 << 9) + 30 * 680 + 512 = 17845168 -> 17426.
            //  tanh(266): 798 -> index 3, fraction 30: (34813 << 8) + 30 * 680 - 2^23 + 128 = 544048 -> 2125.
            //  cell: 16404 * 136 = 2230944, / 2^15 = 68.08 -> 68; 17426 * 2125 = 37030250, / 2^18 = 141.26 -> 141;
            //  cell = 209. tanh(209): 627 -> index 2, fraction 115: (34133 << 8) + 115 * 680 - 2^23 + 128 = 427768 -> 1670.
            //  hidden: 1670 * 16404 = 27394680, / 2^23 = 3.27 -> 3, + 3 = 6.
            var p = OneStepParams(-1);
            p.TimeSteps = 2;
            var (inputs, starts, state) = OneStepInputs(3, 0);
            inputs[0] = new byte[] { 1, 1 };
            var output = new byte[2];

            UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, 0, new short[p.ScratchElements]);

            Assert.Equal(5, (sbyte)output[0]);
            Assert.Equal(6, (sbyte)output[1]);
            Assert.Equal(209, (short)(state[2] | (state[3] << 8)));
        }

        // ------------------------------------------------------------ batches: time major and batch major

        /// <summary>Random small LSTM (input 3, state 2) with realistic requantization; states at offset 0 (hidden) and 8 (cell).</summary>
        static (UnidirectionalSequenceLstmParams p, byte[][] inputs, int[] starts) RandomLstm(int batches, int steps, bool timeMajor, Random rng)
        {
            const int I = 3, S = 2;
            var p = new UnidirectionalSequenceLstmParams
            {
                TimeMajor = timeMajor, Batches = batches, TimeSteps = steps, InputSize = I, StateSize = S,
                StepBatches = timeMajor ? batches : 1,
                InputOffset = 7, HiddenOffset = 2, HiddenZeroPoint = -2, CellGateSigmoid = false, CellClip = 20000,
                CellTanhMultiplier = 0, CellTanhLeftShift = 1, // cell scale 2^-11
                ForgetCellMultiplier = 1 << 30, ForgetCellShift = -14,
                InputCellMultiplier = 1 << 30, InputCellShift = -18,
                HiddenMultiplier = 1_300_000_000, HiddenShift = -7,
            };
            for (int k = 0; k < 8; k++) { p.GateMultipliers[k] = 1_100_000_000 + 10_000_000 * k; p.GateShifts[k] = 3 - (k % 3); }
            var inputs = new byte[24][];
            var starts = new int[24];
            for (int k = 0; k < 24; k++) starts[k] = -1;
            byte[] Random8(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }
            for (int g = 0; g < 4; g++)
            {
                inputs[1 + g] = Random8(S * I); starts[1 + g] = 0;
                inputs[5 + g] = Random8(S * S); starts[5 + g] = 0;
                var bias = new byte[4 * S];
                for (int o = 0; o < S; o++) BitConverter.GetBytes(rng.Next(-3000, 3000)).CopyTo(bias, 4 * o);
                inputs[12 + g] = bias; starts[12 + g] = 0;
            }
            var state = new byte[8 + 2 * batches * S];
            for (int k = 0; k < batches * S; k++) state[k] = unchecked((byte)(sbyte)-2); // hidden reset to its zero point
            inputs[18] = state; starts[18] = 0;
            inputs[19] = state; starts[19] = 8;
            return (p, inputs, starts);
        }

        [Fact]
        public void Eval_TwoBatches_TimeMajorAndBatchMajorEqualIndependentSequences()
        {
            // TFLM: batches never mix. Time major steps all batches at once ([T, B, I] in, [T, B, S] out);
            // batch major runs each batch's whole sequence with that batch's state rows ([B, T, I] -> [B, T, S]).
            // Both must equal running every sequence alone (batch 1).
            const int B = 2, T = 4, I = 3, S = 2;
            var x = new byte[B * T * I];
            new Random(5).NextBytes(x);
            var alone = new byte[B][];
            for (int b = 0; b < B; b++)
            {
                var (p1, in1, st1) = RandomLstm(1, T, false, new Random(11));
                in1[0] = new byte[T * I]; st1[0] = 0;
                Array.Copy(x, b * T * I, in1[0], 0, T * I);
                alone[b] = new byte[T * S];
                UnidirectionalSequenceLstm.Eval(p1, in1, st1, alone[b], 0, new short[p1.ScratchElements]);
            }

            var (pb, inb, stb) = RandomLstm(B, T, false, new Random(11));
            inb[0] = x; stb[0] = 0;
            var outB = new byte[B * T * S];
            UnidirectionalSequenceLstm.Eval(pb, inb, stb, outB, 0, new short[pb.ScratchElements]);

            var (pt, intm, stt) = RandomLstm(B, T, true, new Random(11));
            var xt = new byte[T * B * I];
            for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) Array.Copy(x, (b * T + t) * I, xt, (t * B + b) * I, I);
            intm[0] = xt; stt[0] = 0;
            var outT = new byte[T * B * S];
            UnidirectionalSequenceLstm.Eval(pt, intm, stt, outT, 0, new short[pt.ScratchElements]);

            bool anyNonZero = false;
            for (int b = 0; b < B; b++)
                for (int t = 0; t < T; t++)
                    for (int s = 0; s < S; s++)
                    {
                        byte expected = alone[b][t * S + s];
                        anyNonZero |= (sbyte)expected != -2;
                        Assert.Equal(expected, outB[(b * T + t) * S + s]);
                        Assert.Equal(expected, outT[(t * B + b) * S + s]);
                    }
            Assert.True(anyNonZero, "degenerate case: every output is the hidden zero point");
            Assert.NotEqual(alone[0], alone[1]);
        }
    }
}
