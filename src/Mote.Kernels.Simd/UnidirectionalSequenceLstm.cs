using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;
using LstmParams = Mote.Runtime.Kernels.UnidirectionalSequenceLstmParams;
using static Mote.Kernels.Simd.FullyConnected; // Dot8Avx2 and Reduce8: the same 8-row int16 dots as FULLY_CONNECTED

#pragma warning disable CA2252 // AvxVnni is a preview API in the net8.0 reference assembly (docs/simd.md)

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations and weights, int16 cell state, int32 bias),
    /// bit-exact with <see cref="Reference.UnidirectionalSequenceLstm"/> (TFLM's integer LSTM).
    ///
    /// One LSTM step is computed row by row (a row = one batch entry; rows never read each other's
    /// state, so this equals the reference's gate-by-gate order): the input row and the old hidden
    /// row are widened once to int16 with their offsets added (x + InputOffset, h + HiddenOffset, on
    /// the stack), then
    ///  1. per block of 8 state neurons and per gate, two 8-row dot products (input and recurrent
    ///     weights: vpmovsxbw + vpmaddwd, or AVX-VNNI vpdpwssd; each product |(x+offset)·w| ≤ 255·128,
    ///     exact) and the TFLM requantizations (+ bias, MBQM, clamp to int16, for both; saturating
    ///     add) on 8 int32 lanes; the gate inputs go to the scratch (TFLM's buffers, one per gate);
    ///  2. per 8 neurons: the sigmoid/tanh table interpolations (one vpgatherdd of t[k] | t[k+1] &lt;&lt; 16),
    ///     the cell update (two MulElementwise = MBQM of int16 products, saturating add, clip) and the
    ///     hidden update (tanh of the cell, MBQM, + zero point, clamp), stored to the cell, the hidden
    ///     state and the output.
    /// Hardware path, chosen in <see cref="Eval"/>: AVX2 (with AVX-VNNI when present) on x64; the
    /// portable path (Vector128, also ARM64) vectorizes the dot products only (int16 products are
    /// exact: |(x+offset)·w| ≤ 32640) and does the per-neuron work in scalar code; else the reference.
    /// Parameters outside what Model.Load produces (shifts outside [-31, 30], a cell tanh scaling
    /// other than TFLM's) and sizes above <see cref="MaxDepth"/> run the reference kernel.
    /// </summary>
    public static unsafe class UnidirectionalSequenceLstm
    {
        /// <summary>Largest input or state size the SIMD paths take (the widened rows live on the stack).</summary>
        public const int MaxDepth = 8192;

        public static void Eval(LstmParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart, short[] scratch)
        {
            // Hardware path, chosen here and only here.
            bool avx2 = Avx2.IsSupported;
            bool vnni = avx2 && AvxVnni.IsSupported;
            if (!(avx2 || Vector128.IsHardwareAccelerated) || !Supported(p, scratch))
            {
                Reference.UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, outputStart, scratch);
                return;
            }
            int state = p.StateSize, inSize = p.InputSize;
            if (!Fits(p, inputs, starts, output, outputStart))
            {
                Reference.UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, outputStart, scratch); // (throws as the reference does)
                return;
            }
            var c = new Ctx();
            c.P = p; c.Avx2 = avx2; c.Vnni = vnni;
            short* xs = stackalloc short[inSize + 16];
            short* hs = stackalloc short[state + 16];
            short* xt = stackalloc short[16];
            short* ht = stackalloc short[16];
            sbyte** w = stackalloc sbyte*[8];   // input weights of gates 0..3, then recurrent weights
            int* safe = stackalloc int[8];      // rows whose 16-byte read at the row start stays inside the array
            byte* pads = stackalloc byte[inSize < 16 || state < 16 ? 8 * 256 : 1]; // zero-padded copies of the others
            int** bias = stackalloc int*[4];
            short* tail = stackalloc short[4 * 8 + 8];
            c.Tail = tail;
            // AVX-VNNI u8 form per FC (n ≥ 32): x with its sign bit flipped, Σw per row computed once per call
            // (a pass as long as one step's int16 dots: only when at least VnniU8MinRows steps × batches share it).
            bool amortized = (long)p.Batches * p.TimeSteps >= VnniU8MinRows;
            c.U8X = vnni && amortized && inSize >= VnniU8MinDepth && state <= VnniU8MaxState;
            c.U8H = vnni && amortized && state >= VnniU8MinDepth && state <= VnniU8MaxState;
            int stateR = (state + 7) & ~7;
            int* wsum = stackalloc int[c.U8X || c.U8H ? 8 * stateR : 1];
            byte* xu = stackalloc byte[c.U8X ? inSize + 32 : 1];
            byte* hu = stackalloc byte[c.U8H ? state + 32 : 1];
            byte* xtu = stackalloc byte[32];
            byte* htu = stackalloc byte[32];
            short* ones = stackalloc short[c.U8X || c.U8H ? System.Math.Max(inSize, state) + 16 : 1];
            c.WSum = wsum; c.Xu = xu; c.Hu = hu; c.XtU = xtu; c.HtU = htu; c.StateR = stateR;
            c.Xs = xs; c.Hs = hs; c.Xt = xt; c.Ht = ht; c.W = w; c.Safe = safe; c.Pads = (sbyte*)pads; c.Bias = bias;
            byte[] hidden = inputs[Reference.UnidirectionalSequenceLstm.HiddenStateTensor], cell = inputs[Reference.UnidirectionalSequenceLstm.CellStateTensor];
            int hiddenStart = starts[Reference.UnidirectionalSequenceLstm.HiddenStateTensor], cellStart = starts[Reference.UnidirectionalSequenceLstm.CellStateTensor];
            fixed (byte* inP = inputs[0], hidP = hidden, cellP = cell, outP = output,
                wi0 = inputs[1], wi1 = inputs[2], wi2 = inputs[3], wi3 = inputs[4],
                wr0 = inputs[5], wr1 = inputs[6], wr2 = inputs[7], wr3 = inputs[8],
                b0 = inputs[12], b1 = inputs[13], b2 = inputs[14], b3 = inputs[15])
            fixed (short* sc = scratch)
            fixed (ushort* tab = Table)
            {
                byte* wiBase0 = wi0, wiBase1 = wi1, wiBase2 = wi2, wiBase3 = wi3;
                byte* wrBase0 = wr0, wrBase1 = wr1, wrBase2 = wr2, wrBase3 = wr3;
                SetMatrix(ref c, 0, wiBase0, inputs[1].Length, starts[1], inSize);
                SetMatrix(ref c, 1, wiBase1, inputs[2].Length, starts[2], inSize);
                SetMatrix(ref c, 2, wiBase2, inputs[3].Length, starts[3], inSize);
                SetMatrix(ref c, 3, wiBase3, inputs[4].Length, starts[4], inSize);
                SetMatrix(ref c, 4, wrBase0, inputs[5].Length, starts[5], state);
                SetMatrix(ref c, 5, wrBase1, inputs[6].Length, starts[6], state);
                SetMatrix(ref c, 6, wrBase2, inputs[7].Length, starts[7], state);
                SetMatrix(ref c, 7, wrBase3, inputs[8].Length, starts[8], state);
                if (c.U8X || c.U8H) RowSums(ref c, ones);
                bias[0] = (int*)(b0 + starts[12]); bias[1] = (int*)(b1 + starts[13]);
                bias[2] = (int*)(b2 + starts[14]); bias[3] = (int*)(b3 + starts[15]);
                c.Scratch = sc; c.Table = tab;
                sbyte* x0 = (sbyte*)inP + starts[0];
                sbyte* h0 = (sbyte*)hidP + hiddenStart;
                short* c0 = (short*)(cellP + cellStart);
                sbyte* o0 = (sbyte*)outP + outputStart;
                if (p.TimeMajor)
                {
                    int rows = p.StepBatches;
                    for (int t = 0; t < p.TimeSteps; t++)
                        for (int b = 0; b < rows; b++)
                            Row(ref c, x0 + (long)(t * rows + b) * inSize, h0 + b * state, c0 + b * state, o0 + (long)(t * rows + b) * state);
                }
                else
                {
                    for (int b = 0; b < p.Batches; b++)
                        for (int t = 0; t < p.TimeSteps; t++)
                        {
                            long step = (long)b * p.TimeSteps + t;
                            Row(ref c, x0 + step * inSize, h0 + b * state, c0 + b * state, o0 + step * state);
                        }
                }
            }
        }

        /// <summary>What the vector code reproduces exactly (everything Model.Load accepts; other values go to the reference).</summary>
        static bool Supported(LstmParams p, short[] scratch)
        {
            if (p.StateSize < 1 || p.StateSize > MaxDepth || p.InputSize < 0 || p.InputSize > MaxDepth) return false;
            if (p.Batches < 0 || p.TimeSteps < 0 || p.StepBatches != (p.TimeMajor ? p.Batches : 1)) return false;
            if (scratch == null || scratch.Length < 4 * p.StateSize) return false;
            if (p.GateMultipliers == null || p.GateShifts == null || p.GateMultipliers.Length < 8 || p.GateShifts.Length < 8) return false;
            for (int k = 0; k < 8; k++) if (!ShiftOk(p.GateShifts[k])) return false;
            if (!ShiftOk(p.ForgetCellShift) || !ShiftOk(p.InputCellShift) || !ShiftOk(p.HiddenShift)) return false;
            if (p.CellClip > 32767) return false;
            // The cell tanh's input scaling: 3 << s (Model.Load: s in 0..14) or 3 with a rounding right shift.
            return p.CellTanhMultiplier == 0 ? p.CellTanhLeftShift >= 0 && p.CellTanhLeftShift <= 14
                : p.CellTanhMultiplier == 3 && p.CellTanhLeftShift >= 0 && p.CellTanhLeftShift <= 31;
        }

        /// <summary>Every tensor the pointer code touches lies inside its array (else the reference runs and throws).</summary>
        static bool Fits(LstmParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
        {
            long state = p.StateSize, rows = (long)p.Batches * p.TimeSteps;
            if (inputs == null || starts == null || inputs.Length < 20 || starts.Length < 20 || output == null) return false;
            bool In(int k, long bytes) => inputs[k] != null && starts[k] >= 0 && starts[k] + bytes <= inputs[k].Length;
            if (!In(0, rows * p.InputSize) || !In(18, p.Batches * state) || !In(19, 2 * p.Batches * state)) return false;
            if (outputStart < 0 || outputStart + rows * state > output.Length) return false;
            for (int g = 0; g < 4; g++)
                if (!In(1 + g, state * p.InputSize) || !In(5 + g, state * state) || !In(12 + g, 4 * state)) return false;
            return true;
        }

        static bool ShiftOk(int s) => s >= -31 && s <= 30;

        /// <summary>The state a step needs: pointers into the pinned tensors and stack buffers.</summary>
        struct Ctx
        {
            public LstmParams P;
            public bool Avx2, Vnni;
            public short* Xs, Hs, Xt, Ht, Scratch;
            public sbyte** W;
            public int* Safe;
            public sbyte* Pads;
            public int** Bias;
            public ushort* Table;
            public short* Tail;
            public bool U8X, U8H;
            public int* WSum;
            public int StateR;
            public byte* Xu, Hu, XtU, HtU;
        }

        /// <summary>
        /// Weight matrix m (state rows of n bytes at base + start): rows from Safe[m] on would read past the
        /// array's end with a 16-byte load at their start (only when n &lt; 16); they get zero-padded copies.
        /// </summary>
        static void SetMatrix(ref Ctx c, int m, byte* b, int length, int start, int n)
        {
            int state = c.P.StateSize;
            c.W[m] = (sbyte*)b + start;
            int safe = state;
            if (n < 16)
            {
                long room = (long)length - 16 - start;
                safe = n == 0 ? state : room < 0 ? 0 : (int)System.Math.Min(state, room / n + 1); // (Fits: at most 16 rows are not)
                sbyte* pad = c.Pads + m * 256;
                for (int r = safe; r < state; r++)
                    for (int j = 0; j < 16; j++) pad[(r - safe) * 16 + j] = j < n ? c.W[m][r * n + j] : (sbyte)0;
            }
            c.Safe[m] = safe;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static sbyte* RowPtr(ref Ctx c, int m, int idx, int n) =>
            idx < c.Safe[m] ? c.W[m] + (long)idx * n : c.Pads + m * 256 + (idx - c.Safe[m]) * 16;

        /// <summary>Widens v + offset to int16 at dst (n values) and fills the tail vector (see <see cref="Dot8Avx2"/>).</summary>
        static void Widen(sbyte* v, int n, int offset, short* dst, short* tail, bool avx2)
        {
            int i = 0;
            if (avx2)
            {
                Vector256<short> off = Vector256.Create((short)offset);
                for (; i + 16 <= n; i += 16) Avx.Store(dst + i, Avx2.ConvertToVector256Int16(v + i) + off);
            }
            for (; i < n; i++) dst[i] = (short)(v[i] + offset);
            if (!avx2) return;
            int full = n & ~15;
            if (n < 16) for (int j = 0; j < 16; j++) tail[j] = j < n ? dst[j] : (short)0;
            else for (int j = 0; j < 16; j++) tail[j] = n - 16 + j >= full ? dst[n - 16 + j] : (short)0;
        }

        /// <summary>One LSTM step of one row: x the input row, h/cell the state rows (updated), o the output row.</summary>
        static void Row(ref Ctx c, sbyte* x, sbyte* h, short* cell, sbyte* o)
        {
            LstmParams p = c.P;
            int state = p.StateSize, inSize = p.InputSize;
            if (c.U8X) FlipSign(x, inSize, c.Xu, c.XtU);
            else Widen(x, inSize, p.InputOffset, c.Xs, c.Xt, c.Avx2);
            if (c.U8H) FlipSign(h, state, c.Hu, c.HtU);
            else Widen(h, state, p.HiddenOffset, c.Hs, c.Ht, c.Avx2);
            if (c.Avx2)
            {
                GatesAvx2(ref c);
                for (int j = 0; j < state; j += 8)
                {
                    int count = state - j;
                    if (count >= 8) UpdateAvx2(ref c, j, cell + j, h + j, o + j);
                    else
                    {
                        // The last state % 8 neurons through the same code on stack copies.
                        short* g = c.Tail;
                        long hb = 0, ob = 0;
                        for (int k = 0; k < 8; k++)
                        {
                            bool on = k < count;
                            for (int q = 0; q < 4; q++) g[q * 8 + k] = on ? c.Scratch[q * state + j + k] : (short)0;
                            g[32 + k] = on ? cell[j + k] : (short)0;
                        }
                        UpdateAvx2Lanes(ref c, g + LstmParams.GateForget * 8, g + LstmParams.GateInput * 8, g + LstmParams.GateCell * 8,
                            g + LstmParams.GateOutput * 8, g + 32, (sbyte*)&hb, (sbyte*)&ob);
                        for (int k = 0; k < count; k++) { cell[j + k] = g[32 + k]; h[j + k] = ((sbyte*)&hb)[k]; o[j + k] = ((sbyte*)&ob)[k]; }
                    }
                }
            }
            else
            {
                GatesPortable(ref c);
                UpdatePortable(ref c, cell, h, o);
            }
        }

        // ---------------------------------------------------------------- AVX2

        /// <summary>Phase 1: the four gates' inputs sat16(FC(x) + FC(h)) into scratch[gate · state + neuron].</summary>
        static void GatesAvx2(ref Ctx c)
        {
            LstmParams p = c.P;
            int state = p.StateSize, nx = p.InputSize, last = state - 1;
            int fullX = nx & ~15, fullH = state & ~15;
            int tX = nx < 16 ? 0 : nx - 16, tH = state < 16 ? 0 : state - 16;
            Vector256<int> lo16 = Vector256.Create(-32768), hi16 = Vector256.Create(32767);
            int* tmp = stackalloc int[8];
            short* tmp16 = stackalloc short[8];
            for (int c8 = 0; c8 < state; c8 += 8)
            {
                int count = state - c8;
                for (int g = 0; g < 4; g++)
                {
                    Vector256<int> accX, accH;
                    int i1 = c8 + 1 < last ? c8 + 1 : last, i2 = c8 + 2 < last ? c8 + 2 : last, i3 = c8 + 3 < last ? c8 + 3 : last;
                    int i4 = c8 + 4 < last ? c8 + 4 : last, i5 = c8 + 5 < last ? c8 + 5 : last, i6 = c8 + 6 < last ? c8 + 6 : last;
                    int i7 = c8 + 7 < last ? c8 + 7 : last;
                    {
                        sbyte* w0 = RowPtr(ref c, g, c8, nx), w1 = RowPtr(ref c, g, i1, nx), w2 = RowPtr(ref c, g, i2, nx), w3 = RowPtr(ref c, g, i3, nx);
                        sbyte* w4 = RowPtr(ref c, g, i4, nx), w5 = RowPtr(ref c, g, i5, nx), w6 = RowPtr(ref c, g, i6, nx), w7 = RowPtr(ref c, g, i7, nx);
                        accX = c.U8X ? FullyConnected.Dot8Vnni(c.Xu, -1, c.XtU, nx & ~31, nx, w0, w1, w2, w3, w4, w5, w6, w7)
                                + Avx2.MultiplyLow(Avx.LoadVector256(c.WSum + g * c.StateR + c8), Vector256.Create(p.InputOffset - 128))
                            : c.Vnni ? Dot8Vnni(c.Xs, c.Xt, fullX, nx, tX, w0, w1, w2, w3, w4, w5, w6, w7)
                            : Dot8Avx2(c.Xs, c.Xt, fullX, nx, tX, w0, w1, w2, w3, w4, w5, w6, w7);
                    }
                    {
                        int m = 4 + g;
                        sbyte* w0 = RowPtr(ref c, m, c8, state), w1 = RowPtr(ref c, m, i1, state), w2 = RowPtr(ref c, m, i2, state), w3 = RowPtr(ref c, m, i3, state);
                        sbyte* w4 = RowPtr(ref c, m, i4, state), w5 = RowPtr(ref c, m, i5, state), w6 = RowPtr(ref c, m, i6, state), w7 = RowPtr(ref c, m, i7, state);
                        accH = c.U8H ? FullyConnected.Dot8Vnni(c.Hu, -1, c.HtU, state & ~31, state, w0, w1, w2, w3, w4, w5, w6, w7)
                                + Avx2.MultiplyLow(Avx.LoadVector256(c.WSum + m * c.StateR + c8), Vector256.Create(p.HiddenOffset - 128))
                            : c.Vnni ? Dot8Vnni(c.Hs, c.Ht, fullH, state, tH, w0, w1, w2, w3, w4, w5, w6, w7)
                            : Dot8Avx2(c.Hs, c.Ht, fullH, state, tH, w0, w1, w2, w3, w4, w5, w6, w7);
                    }
                    Vector256<int> bias;
                    if (count >= 8) bias = Avx.LoadVector256(c.Bias[g] + c8);
                    else
                    {
                        for (int k = 0; k < 8; k++) tmp[k] = k < count ? c.Bias[g][c8 + k] : 0;
                        bias = Avx.LoadVector256(tmp);
                    }
                    int mx = p.GateMultipliers[2 * g], sx = p.GateShifts[2 * g];
                    int mh = p.GateMultipliers[2 * g + 1], sh = p.GateShifts[2 * g + 1];
                    Vector256<int> gx = Avx2.Min(Avx2.Max(Mbqm(accX + bias, mx, sx), lo16), hi16);
                    Vector256<int> gh = Avx2.Min(Avx2.Max(Mbqm(accH, mh, sh), lo16), hi16);
                    Vector256<int> v = Avx2.Min(Avx2.Max(gx + gh, lo16), hi16);
                    Vector128<short> packed = Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper());
                    short* dst = c.Scratch + g * state + c8;
                    if (count >= 8) Sse2.Store(dst, packed);
                    else
                    {
                        Sse2.Store(tmp16, packed);
                        for (int k = 0; k < count; k++) dst[k] = tmp16[k];
                    }
                }
            }
        }

        /// <summary>Phase 2 on neurons j..j+7 (all in range).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void UpdateAvx2(ref Ctx c, int j, short* cell, sbyte* h, sbyte* o)
        {
            int state = c.P.StateSize;
            short* s = c.Scratch + j;
            UpdateAvx2Lanes(ref c, s + LstmParams.GateForget * state, s + LstmParams.GateInput * state, s + LstmParams.GateCell * state,
                s + LstmParams.GateOutput * state, cell, h, o);
        }

        /// <summary>
        /// 8 neurons: gate nonlinearities on the gate inputs at gf/gi/gc/go (int16 Q3.12), cell update in
        /// place at cell (8 int16), hidden (8 int8) to h and o. UpdateLstmCell and UpdateLstmHidden of the reference.
        /// </summary>
        static void UpdateAvx2Lanes(ref Ctx c, short* gf, short* gi, short* gc, short* go, short* cell, sbyte* h, sbyte* o)
        {
            LstmParams p = c.P;
            ushort* tab = c.Table;
            Vector256<int> lo16 = Vector256.Create(-32768), hi16 = Vector256.Create(32767);
            // Gate nonlinearities: input multiplier 3, no shift.
            Vector256<int> three = Vector256.Create(3);
            Vector256<int> f = Sigmoid(Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(gf), three), tab);
            Vector256<int> ig = Sigmoid(Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(gi), three), tab);
            Vector256<int> cgIn = Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(gc), three);
            Vector256<int> cg = p.CellGateSigmoid ? Sigmoid(cgIn, tab) : Tanh(cgIn, tab);
            Vector256<int> og = Sigmoid(Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(go), three), tab);
            // Cell: sat16(MulInt16(f, cell) + MulInt16(i, cellgate)), clipped.
            Vector256<int> cv = Avx2.ConvertToVector256Int32(cell);
            Vector256<int> forgotten = Avx2.Min(Avx2.Max(Mbqm(Avx2.MultiplyLow(f, cv), p.ForgetCellMultiplier, p.ForgetCellShift), lo16), hi16);
            Vector256<int> update = Avx2.Min(Avx2.Max(Mbqm(Avx2.MultiplyLow(ig, cg), p.InputCellMultiplier, p.InputCellShift), lo16), hi16);
            Vector256<int> sum = Avx2.Min(Avx2.Max(forgotten + update, lo16), hi16);
            if (p.CellClip >= 0) sum = Avx2.Min(Avx2.Max(sum, Vector256.Create(-p.CellClip)), Vector256.Create(p.CellClip));
            Sse2.Store(cell, Sse2.PackSignedSaturate(sum.GetLower(), sum.GetUpper()));
            // Hidden: zero point + MBQM(tanh(cell) · output gate), clamped to int8.
            int mult = p.CellTanhMultiplier, shift = p.CellTanhLeftShift;
            if (mult == 0) { mult = 3 << shift; shift = 0; }
            Vector256<int> scaled = Avx2.MultiplyLow(sum, Vector256.Create(mult));
            if (shift > 0) scaled = Avx2.ShiftRightArithmetic(scaled + Vector256.Create(1 << (shift - 1)), Vector128.CreateScalar(shift));
            Vector256<int> th = Tanh(scaled, tab);
            Vector256<int> hv = Vector256.Create(p.HiddenZeroPoint) + Mbqm(Avx2.MultiplyLow(th, og), p.HiddenMultiplier, p.HiddenShift);
            hv = Avx2.Min(Avx2.Max(hv, Vector256.Create(-128)), Vector256.Create(127));
            Vector128<short> s16 = Sse2.PackSignedSaturate(hv.GetLower(), hv.GetUpper());
            long bytes = Sse2.PackSignedSaturate(s16, s16).AsInt64().ToScalar();
            *(long*)h = bytes;
            *(long*)o = bytes;
        }

        /// <summary>
        /// MultiplyByQuantizedMultiplier on 8 lanes with one multiplier and shift (in [-31, 30]): wrapping
        /// x · 2^left, SaturatingRoundingDoublingHighMul (<see cref="Requant.HighMul256"/>), RoundingDivideByPOT.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Mbqm(Vector256<int> x, int multiplier, int shift)
        {
            int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
            x = Requant.HighMul256(Avx2.ShiftLeftLogical(x, Vector128.CreateScalar(left)), Vector256.Create(multiplier));
            int m = (int)((1L << right) - 1);
            Vector256<int> threshold = Vector256.Create(m >> 1) - Avx2.ShiftRightArithmetic(x, 31);
            return Avx2.ShiftRightArithmetic(x, Vector128.CreateScalar(right)) - Avx2.CompareGreaterThan(x & Vector256.Create(m), threshold);
        }

        /// <summary>
        /// <see cref="Reference.UnidirectionalSequenceLstm.Int16Sigmoid"/> (tanh: <see cref="Reference.UnidirectionalSequenceLstm.Int16Tanh"/>)
        /// of 8 int16 values with the same input scaling, as the AVX2 path computes it (for tests; needs AVX2 and
        /// a scaling <see cref="Supported"/> accepts: multiplier 0 with shift 0..14, or 3 with shift 0..31).
        /// </summary>
        public static Vector256<int> Int16Activation256(Vector256<int> x, int inputMultiplier, int inputLeftShift, bool tanh)
        {
            if (inputMultiplier == 0) { inputMultiplier = 3 << inputLeftShift; inputLeftShift = 0; }
            Vector256<int> v = Avx2.MultiplyLow(x, Vector256.Create(inputMultiplier));
            if (inputLeftShift > 0) v = Avx2.ShiftRightArithmetic(v + Vector256.Create(1 << (inputLeftShift - 1)), Vector128.CreateScalar(inputLeftShift));
            fixed (ushort* tab = Table) return tanh ? Tanh(v, tab) : Sigmoid(v, tab);
        }

        /// <summary>
        /// <see cref="Reference.UnidirectionalSequenceLstm.Int16Sigmoid"/> after its input scaling (v = the scaled
        /// input, |v| &lt; 2^31): t[k] and t[k+1] come from one 32-bit gather at byte 2k of the table.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Sigmoid(Vector256<int> v, ushort* tab)
        {
            Vector256<int> abs = Avx2.Abs(v).AsInt32();
            Vector256<int> k = Avx2.ShiftRightArithmetic(abs, 9);
            Vector256<int> sat = Avx2.CompareGreaterThan(k, Vector256.Create(254));
            Vector256<int> pair = Avx2.GatherVector256((int*)tab, Avx2.Min(k, Vector256.Create(254)), 2);
            Vector256<int> a = pair & Vector256.Create(0xFFFF), b = Avx2.ShiftRightLogical(pair, 16);
            Vector256<int> r = Avx2.ShiftLeftLogical(a, 9) + Avx2.MultiplyLow(abs & Vector256.Create(0x1FF), b - a);
            r = Avx2.BlendVariable(r, Vector256.Create(0x7FFF << 10), sat);
            Vector256<int> neg = Avx2.CompareGreaterThan(Vector256<int>.Zero, v);
            r = Avx2.BlendVariable(r + Vector256.Create(1 << 9), Vector256.Create((1 << 25) + (1 << 9) - 1) - r, neg);
            return Avx2.ShiftRightArithmetic(r, 10);
        }

        /// <summary><see cref="Reference.UnidirectionalSequenceLstm.Int16Tanh"/> after its input scaling (as <see cref="Sigmoid"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<int> Tanh(Vector256<int> v, ushort* tab)
        {
            Vector256<int> abs = Avx2.Abs(v).AsInt32();
            Vector256<int> k = Avx2.ShiftRightArithmetic(abs, 8);
            Vector256<int> sat = Avx2.CompareGreaterThan(k, Vector256.Create(254));
            Vector256<int> pair = Avx2.GatherVector256((int*)tab, Avx2.Min(k, Vector256.Create(254)), 2);
            Vector256<int> a = pair & Vector256.Create(0xFFFF), b = Avx2.ShiftRightLogical(pair, 16);
            Vector256<int> r = Avx2.ShiftLeftLogical(a, 8) + Avx2.MultiplyLow(abs & Vector256.Create(0xFF), b - a);
            r = Avx2.BlendVariable(r, Vector256.Create(0xFFFF << 8), sat);
            Vector256<int> neg = Avx2.CompareGreaterThan(Vector256<int>.Zero, v);
            r = Avx2.BlendVariable(r - Vector256.Create((1 << 23) - (1 << 7)), Vector256.Create((1 << 23) + (1 << 7) - 1) - r, neg);
            return Avx2.ShiftRightArithmetic(r, 8);
        }

        /// <summary><see cref="Dot8Avx2"/> with AVX-VNNI vpdpwssd (multiply pairs and accumulate, wrapping, in one instruction).</summary>
        static Vector256<int> Dot8Vnni(short* xs, short* xt, int full, int n, int t,
            sbyte* w0, sbyte* w1, sbyte* w2, sbyte* w3, sbyte* w4, sbyte* w5, sbyte* w6, sbyte* w7)
        {
            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = 0; i < full; i += 16)
            {
                Vector256<short> v = Avx.LoadVector256(xs + i);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, v, Avx2.ConvertToVector256Int16(w0 + i));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, Avx2.ConvertToVector256Int16(w1 + i));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, v, Avx2.ConvertToVector256Int16(w2 + i));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, v, Avx2.ConvertToVector256Int16(w3 + i));
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, v, Avx2.ConvertToVector256Int16(w4 + i));
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, v, Avx2.ConvertToVector256Int16(w5 + i));
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, v, Avx2.ConvertToVector256Int16(w6 + i));
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, v, Avx2.ConvertToVector256Int16(w7 + i));
            }
            if (full < n)
            {
                Vector256<short> v = Avx.LoadVector256(xt);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, v, Avx2.ConvertToVector256Int16(w0 + t));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, v, Avx2.ConvertToVector256Int16(w1 + t));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, v, Avx2.ConvertToVector256Int16(w2 + t));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, v, Avx2.ConvertToVector256Int16(w3 + t));
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, v, Avx2.ConvertToVector256Int16(w4 + t));
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, v, Avx2.ConvertToVector256Int16(w5 + t));
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, v, Avx2.ConvertToVector256Int16(w6 + t));
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, v, Avx2.ConvertToVector256Int16(w7 + t));
            }
            return Reduce8(a0, a1, a2, a3, a4, a5, a6, a7);
        }

        /// <summary>Smallest dot length for the AVX-VNNI u8 form (its steps are 32 bytes).</summary>
        public const int VnniU8MinDepth = 32;

        /// <summary>Fewest rows (time steps × batches) per call for the u8 form (dtln: 1 step, stays int16).</summary>
        public const int VnniU8MinRows = 4;

        /// <summary>Largest state size for the u8 form (Σw of 8 matrices on the stack: 32 bytes per neuron).</summary>
        public const int VnniU8MaxState = 1024;

        /// <summary>
        /// Σw of every row of the matrices that take the u8 form, in blocks of 8 as the dots see them
        /// (rows past the state repeat the last row): WSum[m · StateR + neuron], by the int16 dot against ones.
        /// </summary>
        static void RowSums(ref Ctx c, short* ones)
        {
            int state = c.P.StateSize, last = state - 1;
            int len = System.Math.Max(c.P.InputSize, state);
            for (int i = 0; i < len + 16; i++) ones[i] = 1;
            for (int m = 0; m < 8; m++)
            {
                if (m < 4 ? !c.U8X : !c.U8H) continue;
                int n = m < 4 ? c.P.InputSize : state; // ≥ 32: tail step at n − 16 against ones whose counted part is 0
                short* onesT = c.Tail; // (16 of its entries; Row rewrites Tail before each use)
                int full = n & ~15;
                for (int j = 0; j < 16; j++) onesT[j] = (short)(n - 16 + j >= full ? 1 : 0);
                for (int c8 = 0; c8 < state; c8 += 8)
                {
                    int i1 = c8 + 1 < last ? c8 + 1 : last, i2 = c8 + 2 < last ? c8 + 2 : last, i3 = c8 + 3 < last ? c8 + 3 : last;
                    int i4 = c8 + 4 < last ? c8 + 4 : last, i5 = c8 + 5 < last ? c8 + 5 : last, i6 = c8 + 6 < last ? c8 + 6 : last;
                    int i7 = c8 + 7 < last ? c8 + 7 : last;
                    Vector256<int> sum = Dot8Avx2(ones, onesT, full, n, n - 16, RowPtr(ref c, m, c8, n), RowPtr(ref c, m, i1, n), RowPtr(ref c, m, i2, n),
                        RowPtr(ref c, m, i3, n), RowPtr(ref c, m, i4, n), RowPtr(ref c, m, i5, n), RowPtr(ref c, m, i6, n), RowPtr(ref c, m, i7, n));
                    Avx.Store(c.WSum + m * c.StateR + c8, sum);
                }
            }
        }

        /// <summary>x ^ 0x80 (x + 128 as u8) at dst, and the tail block: dst's last 32 bytes with those of the full 32-byte steps zeroed (n ≥ 32).</summary>
        static void FlipSign(sbyte* v, int n, byte* dst, byte* tail)
        {
            int i = 0;
            for (; i + 32 <= n; i += 32) Avx.Store(dst + i, Avx.LoadVector256((byte*)v + i) ^ Vector256.Create((byte)0x80));
            for (; i < n; i++) dst[i] = (byte)(v[i] ^ 0x80);
            int full = n & ~31;
            for (int j = 0; j < 32; j++) tail[j] = n - 32 + j >= full ? dst[n - 32 + j] : (byte)0;
        }

        // ---------------------------------------------------------------- portable (Vector128)

        /// <summary>Σ_i xs[i] · w[i] (xs = x + offset as int16): int16 products (exact), widened into int32 lanes.</summary>
        static int DotPortable(short* xs, sbyte* w, int n)
        {
            Vector128<int> acc = Vector128<int>.Zero;
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                Vector128<short> wv = Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(w + i)).AsSByte());
                Vector128<short> prod = Vector128.Load(xs + i) * wv;
                acc += Vector128.WidenLower(prod) + Vector128.WidenUpper(prod);
            }
            int sum = Vector128.Sum(acc);
            for (; i < n; i++) sum += xs[i] * w[i];
            return sum;
        }

        static void GatesPortable(ref Ctx c)
        {
            LstmParams p = c.P;
            int state = p.StateSize, nx = p.InputSize;
            for (int g = 0; g < 4; g++)
            {
                byte* biasBytes = (byte*)c.Bias[g];
                int mx = p.GateMultipliers[2 * g], sx = p.GateShifts[2 * g];
                int mh = p.GateMultipliers[2 * g + 1], sh = p.GateShifts[2 * g + 1];
                for (int o = 0; o < state; o++)
                {
                    byte* bb = biasBytes + 4 * o;
                    int bias = bb[0] | (bb[1] << 8) | (bb[2] << 16) | (bb[3] << 24);
                    int gx = Saturate16(FixedPoint.MultiplyByQuantizedMultiplier(unchecked(DotPortable(c.Xs, c.W[g] + (long)o * nx, nx) + bias), mx, sx));
                    int gh = Saturate16(FixedPoint.MultiplyByQuantizedMultiplier(DotPortable(c.Hs, c.W[4 + g] + (long)o * state, state), mh, sh));
                    c.Scratch[g * state + o] = (short)Saturate16(gx + gh);
                }
            }
        }

        /// <summary>Phase 2 in scalar code (as the reference, on little-endian int16 cell values).</summary>
        static void UpdatePortable(ref Ctx c, short* cell, sbyte* h, sbyte* o)
        {
            LstmParams p = c.P;
            int state = p.StateSize;
            short* s = c.Scratch;
            for (int j = 0; j < state; j++)
            {
                int f = Reference.UnidirectionalSequenceLstm.Int16Sigmoid(s[LstmParams.GateForget * state + j], 0, 0);
                int ig = Reference.UnidirectionalSequenceLstm.Int16Sigmoid(s[LstmParams.GateInput * state + j], 0, 0);
                int gc = s[LstmParams.GateCell * state + j];
                int cg = p.CellGateSigmoid ? Reference.UnidirectionalSequenceLstm.Int16Sigmoid(gc, 0, 0) : Reference.UnidirectionalSequenceLstm.Int16Tanh(gc, 0, 0);
                int og = Reference.UnidirectionalSequenceLstm.Int16Sigmoid(s[LstmParams.GateOutput * state + j], 0, 0);
                byte* cb = (byte*)(cell + j);
                int cv = (short)(cb[0] | (cb[1] << 8));
                int forgotten = Saturate16(FixedPoint.MultiplyByQuantizedMultiplier(f * cv, p.ForgetCellMultiplier, p.ForgetCellShift));
                int update = Saturate16(FixedPoint.MultiplyByQuantizedMultiplier(ig * cg, p.InputCellMultiplier, p.InputCellShift));
                int sum = Saturate16(forgotten + update);
                if (p.CellClip >= 0)
                {
                    if (sum > p.CellClip) sum = p.CellClip;
                    if (sum < -p.CellClip) sum = -p.CellClip;
                }
                cb[0] = (byte)sum; cb[1] = (byte)(sum >> 8);
                int th = Reference.UnidirectionalSequenceLstm.Int16Tanh(sum, p.CellTanhMultiplier, p.CellTanhLeftShift);
                int hv = p.HiddenZeroPoint + FixedPoint.MultiplyByQuantizedMultiplier(th * og, p.HiddenMultiplier, p.HiddenShift);
                if (hv < -128) hv = -128;
                if (hv > 127) hv = 127;
                h[j] = (sbyte)hv;
                o[j] = (sbyte)hv;
            }
        }

        static int Saturate16(int v) => v > 32767 ? 32767 : v < -32768 ? -32768 : v;

        /// <summary>TFLM's sigmoid_table_uint16, copied once from the reference kernel, pinned while a call runs.</summary>
        static readonly ushort[] Table = Reference.UnidirectionalSequenceLstm.CopySigmoidTable();
    }
}
