namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// UNIDIRECTIONAL_SEQUENCE_LSTM, int8 input/output/hidden state, int8 weights, int16 cell
    /// state, int32 bias. Follows TFLM's integer LSTM (micro/kernels/lstm_eval.h, lstm_eval.cc,
    /// lstm_eval_common.cc): standard LSTM without peephole, projection or layer norm; every
    /// gate = nonlinearity(FC(x) + FC(h)) in int16 Q3.12 -> Q0.15.
    /// </summary>
    public static class UnidirectionalSequenceLstm
    {
        // TFLite's tensor positions (lstm_shared.h).
        public const int InputTensor = 0, HiddenStateTensor = 18, CellStateTensor = 19;
        /// <summary>Input-to-gate weights are input 1 + gate, recurrent weights 5 + gate, biases 12 + gate.</summary>
        public const int InputWeights0 = 1, RecurrentWeights0 = 5, Bias0 = 12;

        /// <summary>
        /// inputs/starts: TFLite's 24 inputs (absent = null / -1); input 18 (hidden state, int8)
        /// and 19 (cell state, int16 LE) are read and updated. scratch: at least
        /// <see cref="UnidirectionalSequenceLstmParams.ScratchElements"/> int16s.
        ///
        /// Per time step (and, batch-major, per batch; TFLM's LstmStep), with n = StepBatches x
        /// StateSize elements per buffer:
        ///  1. forget = sigmoid(gate 1), input = sigmoid(gate 0), cellgate = tanh or sigmoid(gate 2);
        ///     gate g = sat16(FCg(x) + FCg'(h)), FCg(x) = MBQM(sum w*(x + InputOffset) + bias, M, S)
        ///     clamped to int16 (FCg'(h) has no bias and uses HiddenOffset);
        ///  2. cell = MulElementwise(forget, cell); tmp = MulElementwise(input, cellgate);
        ///     cell = sat16(cell + tmp); clip to [-CellClip, CellClip] when CellClip >= 0;
        ///  3. output = sigmoid(gate 3); hidden = MulElementwise(tanh(cell), output) + zero point,
        ///     clamped to int8; the hidden state is copied into the output at this step.
        /// </summary>
        public static void Eval(UnidirectionalSequenceLstmParams p, byte[][] inputs, int[] starts,
            byte[] output, int outputStart, short[] scratch)
        {
            int state = p.StateSize;
            int inputSize = p.InputSize;
            if (p.TimeMajor)
            {
                int rows = p.StepBatches;
                for (int t = 0; t < p.TimeSteps; t++)
                {
                    Step(p, inputs, starts, t * rows * inputSize, 0, output, outputStart + t * rows * state, scratch);
                }
            }
            else
            {
                for (int b = 0; b < p.Batches; b++)
                {
                    for (int t = 0; t < p.TimeSteps; t++)
                    {
                        int step = b * p.TimeSteps + t;
                        Step(p, inputs, starts, step * inputSize, b * state, output, outputStart + step * state, scratch);
                    }
                }
            }
        }

        /// <summary>One LstmStep: input rows at element inputAt, state rows at element stateAt.</summary>
        static void Step(UnidirectionalSequenceLstmParams p, byte[][] inputs, int[] starts, int inputAt, int stateAt,
            byte[] output, int outputAt, short[] scratch)
        {
            int n = p.StepBatches * p.StateSize;
            // TFLM's buffer0..3.
            int buf0 = 0, buf1 = n, buf2 = 2 * n, buf3 = 3 * n;
            byte[] cell = inputs[CellStateTensor];
            int cellAt = starts[CellStateTensor] + 2 * stateAt;
            byte[] hidden = inputs[HiddenStateTensor];
            int hiddenAt = starts[HiddenStateTensor] + stateAt;

            Gate(p, UnidirectionalSequenceLstmParams.GateForget, inputs, starts, inputAt, hiddenAt, scratch, buf0, buf3, true);
            Gate(p, UnidirectionalSequenceLstmParams.GateInput, inputs, starts, inputAt, hiddenAt, scratch, buf1, buf3, true);
            Gate(p, UnidirectionalSequenceLstmParams.GateCell, inputs, starts, inputAt, hiddenAt, scratch, buf2, buf3, p.CellGateSigmoid);

            // Cell update (UpdateLstmCell): cell = forget * cell; buf1 = input * cellgate; cell += buf1; clip.
            for (int i = 0; i < n; i++)
            {
                int c = ReadInt16(cell, cellAt + 2 * i);
                int forgotten = MulInt16(scratch[buf0 + i], c, p.ForgetCellMultiplier, p.ForgetCellShift);
                int update = MulInt16(scratch[buf1 + i], scratch[buf2 + i], p.InputCellMultiplier, p.InputCellShift);
                int sum = Saturate16(forgotten + update);
                if (p.CellClip >= 0)
                {
                    if (sum > p.CellClip) sum = p.CellClip;
                    if (sum < -p.CellClip) sum = -p.CellClip;
                }
                WriteInt16(cell, cellAt + 2 * i, sum);
            }

            // Hidden update (UpdateLstmHidden): hidden = tanh(cell) * sigmoid(output gate).
            Gate(p, UnidirectionalSequenceLstmParams.GateOutput, inputs, starts, inputAt, hiddenAt, scratch, buf1, buf3, true);
            for (int i = 0; i < n; i++)
            {
                int c = ReadInt16(cell, cellAt + 2 * i);
                int th = Int16Tanh(c, p.CellTanhMultiplier, p.CellTanhLeftShift);
                int h = p.HiddenZeroPoint + FixedPoint.MultiplyByQuantizedMultiplier(th * scratch[buf1 + i], p.HiddenMultiplier, p.HiddenShift);
                if (h < -128) h = -128;
                if (h > 127) h = 127;
                hidden[hiddenAt + i] = (byte)(sbyte)h;
                output[outputAt + i] = (byte)(sbyte)h;
            }
        }

        /// <summary>
        /// CalculateLstmGate: gate = FC(x) into scratch[gateAt..], FC(h) into scratch[tempAt..],
        /// gate = sat16(gate + temp), then the int16 sigmoid or tanh (input Q3.12) in place.
        /// </summary>
        static void Gate(UnidirectionalSequenceLstmParams p, int gate, byte[][] inputs, int[] starts, int inputAt, int hiddenAt,
            short[] scratch, int gateAt, int tempAt, bool sigmoid)
        {
            int state = p.StateSize;
            int inputSize = p.InputSize;
            int rows = p.StepBatches;
            FullyConnectedInt16(inputs[InputTensor], starts[InputTensor] + inputAt, p.InputOffset, inputSize,
                inputs[InputWeights0 + gate], starts[InputWeights0 + gate], inputs[Bias0 + gate], starts[Bias0 + gate],
                p.GateMultipliers[2 * gate], p.GateShifts[2 * gate], rows, state, scratch, gateAt);
            FullyConnectedInt16(inputs[HiddenStateTensor], hiddenAt, p.HiddenOffset, state,
                inputs[RecurrentWeights0 + gate], starts[RecurrentWeights0 + gate], null, -1,
                p.GateMultipliers[2 * gate + 1], p.GateShifts[2 * gate + 1], rows, state, scratch, tempAt);
            int n = rows * state;
            for (int i = 0; i < n; i++)
            {
                int v = Saturate16(scratch[gateAt + i] + scratch[tempAt + i]);
                // TFLM: Sigmoid with input multiplier 0 and shift 0; Tanh with cell_state_scale_power -12
                // (input left shift 0, multiplier 0), i.e. both with an effective input multiplier of 3.
                scratch[gateAt + i] = (short)(sigmoid ? Int16Sigmoid(v, 0, 0) : Int16Tanh(v, 0, 0));
            }
        }

        /// <summary>
        /// reference_integer_ops::FullyConnected, int8 input and weights (zero point 0), int32 bias
        /// (or none), int16 output with zero point 0 and the full int16 activation range.
        /// </summary>
        static void FullyConnectedInt16(byte[] input, int inputStart, int inputOffset, int depth,
            byte[] filter, int filterStart, byte[] bias, int biasStart, int multiplier, int shift,
            int rows, int outDepth, short[] output, int outputAt)
        {
            for (int b = 0; b < rows; b++)
            {
                int inBase = inputStart + b * depth;
                for (int o = 0; o < outDepth; o++)
                {
                    int fBase = filterStart + o * depth;
                    int acc = 0;
                    for (int d = 0; d < depth; d++)
                    {
                        acc = unchecked(acc + (sbyte)filter[fBase + d] * ((sbyte)input[inBase + d] + inputOffset));
                    }
                    if (bias != null)
                    {
                        int at = biasStart + 4 * o;
                        acc = unchecked(acc + (bias[at] | (bias[at + 1] << 8) | (bias[at + 2] << 16) | (bias[at + 3] << 24)));
                    }
                    acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, multiplier, shift);
                    output[outputAt + b * outDepth + o] = (short)Saturate16(acc);
                }
            }
        }

        /// <summary>MulElementwise of two symmetric int16 values to an int16 with zero point 0.</summary>
        static int MulInt16(int a, int b, int multiplier, int shift)
        {
            return Saturate16(FixedPoint.MultiplyByQuantizedMultiplier(a * b, multiplier, shift));
        }

        static int Saturate16(int v)
        {
            return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
        }

        static int ReadInt16(byte[] b, int at)
        {
            return (short)(b[at] | (b[at + 1] << 8));
        }

        static void WriteInt16(byte[] b, int at, int v)
        {
            b[at] = (byte)v;
            b[at + 1] = (byte)(v >> 8);
        }

        /// <summary>
        /// TFLM reference_integer_ops::Logistic for int16 (Q3.12 in, Q0.15 out), a table of
        /// sigmoid(k/24) with linear interpolation. inputMultiplier 0 means "power of two
        /// scale": multiplier = 3 &lt;&lt; inputLeftShift and no shift.
        ///  1. x' = (x * multiplier + round) &gt;&gt; shift (round = half of 2^shift);
        ///  2. |x'| &gt;&gt; 9 indexes the table (255 and above saturate to 0x7FFF &lt;&lt; 10),
        ///     the low 9 bits interpolate to r = (t[k] &lt;&lt; 9) + frac * (t[k+1] - t[k]);
        ///  3. x' &gt;= 0: r + 2^9, else 2^25 - r + 2^9 - 1; the result is r &gt;&gt; 10.
        /// </summary>
        public static int Int16Sigmoid(int x, int inputMultiplier, int inputLeftShift)
        {
            if (inputMultiplier == 0)
            {
                inputMultiplier = 3 << inputLeftShift;
                inputLeftShift = 0;
            }
            int round = inputLeftShift > 0 ? 1 << (inputLeftShift - 1) : 0;
            int v = (x * inputMultiplier + round) >> inputLeftShift;
            int abs = v < 0 ? -v : v;
            int k = abs >> 9;
            int r;
            if (k >= 255)
            {
                r = 0x7FFF << 10;
            }
            else
            {
                int a = SigmoidTable[k], b = SigmoidTable[k + 1];
                r = (a << 9) + (abs & 0x1FF) * (b - a);
            }
            r = v >= 0 ? r + (1 << 9) : (1 << 25) - r + (1 << 9) - 1;
            return r >> 10;
        }

        /// <summary>
        /// TFLM reference_integer_ops::Tanh for int16 (tanh(x) = 2 sigmoid(2x) - 1 on the same table):
        ///  1. x' as in <see cref="Int16Sigmoid"/>;
        ///  2. |x'| &gt;&gt; 8 indexes the table (255 and above saturate to 0xFFFF &lt;&lt; 8), the low
        ///     8 bits interpolate to r = (t[k] &lt;&lt; 8) + frac * (t[k+1] - t[k]);
        ///  3. x' &gt;= 0: r - 2^23 + 2^7, else -r + 2^23 + 2^7 - 1; the result is r &gt;&gt; 8
        ///     (arithmetic).
        /// </summary>
        public static int Int16Tanh(int x, int inputMultiplier, int inputLeftShift)
        {
            if (inputMultiplier == 0)
            {
                inputMultiplier = 3 << inputLeftShift;
                inputLeftShift = 0;
            }
            int round = inputLeftShift > 0 ? 1 << (inputLeftShift - 1) : 0;
            int v = (x * inputMultiplier + round) >> inputLeftShift;
            int abs = v < 0 ? -v : v;
            int k = abs >> 8;
            int r;
            if (k >= 255)
            {
                r = 0xFFFF << 8;
            }
            else
            {
                int a = SigmoidTable[k], b = SigmoidTable[k + 1];
                r = (a << 8) + (abs & 0xFF) * (b - a);
            }
            r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
            return r >> 8;
        }

        /// <summary>
        /// A copy of <see cref="SigmoidTable"/> (256 entries), for faster kernels that must interpolate on
        /// the very same constants (the SIMD tier pins its copy and gathers from it).
        /// </summary>
        public static ushort[] CopySigmoidTable()
        {
            ushort[] copy = new ushort[SigmoidTable.Length];
            for (int i = 0; i < copy.Length; i++) copy[i] = SigmoidTable[i];
            return copy;
        }

        /// <summary>TFLM's sigmoid_table_uint16 (common.h): sigmoid(k / 24) in unsigned 0.16, k = 0..255.</summary>
        static readonly ushort[] SigmoidTable =
        {
            32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498,
            40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255,
            46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865,
            52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174,
            56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288,
            59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441,
            61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886,
            62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835,
            63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450,
            64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
            64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097,
            65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
            65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
            65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425,
            65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
            65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
            65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508,
            65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518,
            65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525,
            65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
            65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531,
            65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533,
            65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
            65534, 65534, 65535,
        };
    }
}
