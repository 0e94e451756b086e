using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Runtime
{
    // Format 1.3: validation and preparation of CAST, DIV, MINIMUM, MAXIMUM, the int32 forms of ADD
    // and MUL, and the audio front end's signal operators (docs/blob-format.md §6). Every index a
    // kernel computes from a blob value is checked here, so any blob that loads runs in bounds.
    public sealed partial class Model
    {
        /// <summary>int32 ADD (12 words: 10, 11 = activation range, the rest 0), MUL (7: 5, 6), DIV (2: 0, 1), MINIMUM/MAXIMUM (none).</summary>
        BinaryInt32Params PrepareBinaryInt32(int op, int code, int p)
        {
            int a = OperatorInput(op, 0), b = OperatorInput(op, 1), output = OperatorOutput(op);
            RequireType(op, a, DataType.Int32, -1, "input 1");
            RequireType(op, b, DataType.Int32, -1, "input 2");
            RequireType(op, output, DataType.Int32, -1, "output");
            if (TensorRank(a) > 4 || TensorRank(b) > 4 || TensorRank(output) > 4)
                throw Op(op, -1, OpCode.Name(code) + " supports up to 4 dimensions");
            BinaryInt32Params s = new BinaryInt32Params();
            int words = OpCode.ParamWords(code), minWord = -1;
            switch (code)
            {
                case OpCode.Add: s.Operation = BinaryInt32Params.OpAdd; minWord = 10; break;
                case OpCode.Mul: s.Operation = BinaryInt32Params.OpMul; minWord = 5; break;
                case OpCode.Div: s.Operation = BinaryInt32Params.OpDiv; minWord = 0; break;
                case OpCode.Minimum: s.Operation = BinaryInt32Params.OpMinimum; break;
                default: s.Operation = BinaryInt32Params.OpMaximum; break;
            }
            s.ActivationMin = int.MinValue;
            s.ActivationMax = int.MaxValue;
            for (int k = 0; k < words; k++)
            {
                if (k == minWord || k == minWord + 1) continue;
                if (Word(p, k) != 0) throw Op(op, p + 4 * k, "int32 " + OpCode.Name(code) + ": parameter word " + k + " must be 0");
            }
            if (minWord >= 0)
            {
                s.ActivationMin = Word(p, minWord);
                s.ActivationMax = Word(p, minWord + 1);
                if (s.ActivationMin > s.ActivationMax)
                    throw Op(op, p + 4 * minWord, "activation range [" + s.ActivationMin + ", " + s.ActivationMax + "] is empty");
            }
            s.FlatSize = TensorElements(output);
            s.Broadcast = RequireBroadcast(op, a, b, output, code == OpCode.Mul);
            if (s.Broadcast)
            {
                s.Input1Shape = Extend(a, 4);
                s.Input2Shape = Extend(b, 4);
                s.OutputShape = Extend(output, 4);
            }
            return s;
        }

        object PrepareAudio(int op, int code, int p)
        {
            switch (code)
            {
                case OpCode.Cast: return PrepareCast(op);
                case OpCode.Div: case OpCode.Maximum: case OpCode.Minimum: return PrepareBinaryInt32(op, code, p);
                case OpCode.SignalWindow: return PrepareSignalWindow(op, p);
                case OpCode.SignalFftAutoScale: return PrepareFftAutoScale(op);
                case OpCode.SignalRfft: return PrepareRfft(op, p);
                case OpCode.SignalEnergy: return PrepareEnergy(op, p);
                case OpCode.SignalFilterBank: return PrepareFilterBank(op, p);
                case OpCode.SignalFilterBankSquareRoot: return PrepareSquareRoot(op);
                case OpCode.SignalFilterBankSpectralSubtraction: return PrepareSpectralSubtraction(op, p);
                case OpCode.SignalFilterBankLog: return PrepareLog(op, p);
                default: return PreparePcan(op, p);
            }
        }

        static bool IsCastType(int dtype)
        {
            return dtype == DataType.Int8 || dtype == DataType.Int16 || dtype == DataType.Int32 || dtype == DataType.UInt32;
        }

        CastParams PrepareCast(int op)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            if (!IsCastType(TensorType(input)) || !IsCastType(TensorType(output)))
                throw Op(op, -1, "casts " + DataType.Name(TensorType(input)) + " to " + DataType.Name(TensorType(output))
                    + "; supported are int8, int16, int32 and uint32");
            RequireSameCount(op, input, output);
            CastParams s = new CastParams();
            s.InputType = TensorType(input);
            s.OutputType = TensorType(output);
            s.Count = TensorElements(output);
            return s;
        }

        void RequireSameCount(int op, int a, int b)
        {
            if (TensorElements(a) != TensorElements(b))
                throw Op(op, -1, "tensor " + a + " " + ShapeText(a) + " and tensor " + b + " " + ShapeText(b) + " have different element counts");
        }

        void RequireWordRange(int op, int p, int k, int lo, int hi, string what)
        {
            int v = Word(p, k);
            if (!InRange(v, lo, hi)) throw Op(op, p + 4 * k, what + " " + v + " is outside " + lo + ".." + hi);
        }

        void RequireConstant(int op, int t, string role)
        {
            if (!TensorIsConstant(t)) throw Op(op, -1, role + " tensor " + t + " must be a constant");
        }

        int ConstInt16(int t, int i) { return LittleEndian.ReadInt16(Blob, TensorStart(t) + 2 * i); }

        SignalWindowParams PrepareSignalWindow(int op, int p)
        {
            int input = OperatorInput(op, 0), window = OperatorInput(op, 1), output = OperatorOutput(op);
            RequireType(op, input, DataType.Int16, -1, "input");
            RequireType(op, window, DataType.Int16, 1, "window");
            RequireType(op, output, DataType.Int16, TensorRank(input), "output");
            RequireSameCount(op, input, output);
            RequireWordRange(op, p, 0, 0, 31, "shift");
            SignalWindowParams s = new SignalWindowParams();
            s.Shift = Word(p, 0);
            s.InputSize = TensorElements(input);
            s.WindowSize = TensorElements(window);
            if (s.InputSize % s.WindowSize != 0)
                throw Op(op, -1, "input " + ShapeText(input) + " is not a whole number of " + s.WindowSize + "-sample windows");
            return s;
        }

        SignalFftAutoScaleParams PrepareFftAutoScale(int op)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op, 0), scale = OperatorOutput(op, 1);
            RequireType(op, input, DataType.Int16, 1, "input");
            RequireType(op, output, DataType.Int16, 1, "output");
            RequireType(op, scale, DataType.Int32, -1, "scale output");
            RequireSameCount(op, input, output);
            if (TensorElements(scale) != 1) throw Op(op, -1, "scale output " + ShapeText(scale) + " must be a scalar");
            SignalFftAutoScaleParams s = new SignalFftAutoScaleParams();
            s.Count = TensorElements(output);
            s.ScaleStart = TensorStart(scale);
            return s;
        }

        SignalRfftParams PrepareRfft(int op, int p)
        {
            int input = OperatorInput(op, 0), tw = OperatorInput(op, 1), output = OperatorOutput(op);
            RequireType(op, input, DataType.Int16, -1, "input");
            RequireType(op, output, DataType.Int16, TensorRank(input), "output");
            RequireType(op, tw, DataType.Int16, 1, "twiddles");
            RequireConstant(op, tw, "twiddles");
            int fft = Word(p, 0);
            if (fft < 4 || fft > 65536 || (fft & 1) != 0)
                throw Op(op, p, "FFT length " + fft + " is not an even number in 4..65536");
            int rank = TensorRank(input);
            if (rank < 1) throw Op(op, -1, "input must have at least one dimension");
            SignalRfftParams s = new SignalRfftParams();
            s.FftLength = fft;
            s.Half = fft / 2;
            s.InputLength = TensorDim(input, rank - 1);
            if (s.InputLength > fft) throw Op(op, -1, "frames of " + s.InputLength + " samples are longer than the FFT length " + fft);
            s.Frames = TensorElements(input) / s.InputLength;
            if (TensorDim(output, rank - 1) != fft + 2 || TensorElements(output) / (fft + 2) != s.Frames)
                throw Op(op, -1, "output " + ShapeText(output) + " must hold " + (fft / 2 + 1) + " complex bins per frame of input " + ShapeText(input));
            s.Factors = RfftFactors(op, p, s.Half);
            int used = SignalRfft.TwiddleCount(s.Factors);
            if (TensorElements(tw) != 2 * (used + s.Half / 2))
                throw Op(op, -1, "twiddle table has " + TensorElements(tw) + " int16s, expected 2 x (" + used + " + " + (s.Half / 2) + ")");
            s.SplitStart = 4 * used;
            return s;
        }

        int[] RfftFactors(int op, int p, int n)
        {
            int[] f = SignalRfft.Factors(n);
            if (f == null) throw Op(op, p, "FFT length " + 2 * n + ": the complex FFT of size " + n + " needs a radix other than 4 and 2 (not implemented)");
            return f;
        }

        SignalEnergyParams PrepareEnergy(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            RequireType(op, input, DataType.Int16, 1, "input");
            RequireType(op, output, DataType.UInt32, 1, "output");
            SignalEnergyParams s = new SignalEnergyParams();
            s.Count = TensorElements(output);
            s.Start = Word(p, 0);
            s.End = Word(p, 1);
            int bins = TensorElements(input) / 2;
            if (s.Start < 0 || s.Start > s.End || s.End > s.Count || s.End > bins)
                throw Op(op, p, "bins [" + s.Start + ", " + s.End + ") do not lie inside the " + bins + " input bins and " + s.Count + " outputs");
            return s;
        }

        SignalFilterBankParams PrepareFilterBank(int op, int p)
        {
            int input = OperatorInput(op, 0), weights = OperatorInput(op, 1), unweights = OperatorInput(op, 2);
            int freqStarts = OperatorInput(op, 3), weightStarts = OperatorInput(op, 4), widths = OperatorInput(op, 5), output = OperatorOutput(op);
            RequireType(op, input, DataType.UInt32, 1, "input");
            RequireType(op, output, DataType.UInt64, 1, "output");
            RequireType(op, weights, DataType.Int16, 1, "weights");
            RequireType(op, unweights, DataType.Int16, 1, "unweights");
            RequireType(op, freqStarts, DataType.Int16, 1, "channel frequency starts");
            RequireType(op, weightStarts, DataType.Int16, 1, "channel weight starts");
            RequireType(op, widths, DataType.Int16, 1, "channel widths");
            RequireConstant(op, freqStarts, "channel frequency starts");
            RequireConstant(op, weightStarts, "channel weight starts");
            RequireConstant(op, widths, "channel widths");
            int channels = Word(p, 0);
            if (channels != TensorElements(output))
                throw Op(op, p, "num_channels " + channels + " differs from the output's " + TensorElements(output) + " elements");
            if (TensorElements(freqStarts) <= channels || TensorElements(weightStarts) <= channels || TensorElements(widths) <= channels)
                throw Op(op, -1, "channel tables need " + (channels + 1) + " entries");
            int bins = TensorElements(input), nw = TensorElements(weights);
            if (TensorElements(unweights) != nw)
                throw Op(op, -1, "weights and unweights differ in length");
            for (int i = 0; i <= channels; i++)
            {
                int fs = ConstInt16(freqStarts, i), ws = ConstInt16(weightStarts, i), width = ConstInt16(widths, i);
                if (width > 0 && (fs < 0 || ws < 0 || fs + width > bins || ws + width > nw))
                    throw Op(op, -1, "channel " + i + ": bins [" + fs + ", +" + width + ") or weights [" + ws + ", +" + width
                        + ") lie outside the " + bins + " inputs or " + nw + " weights");
            }
            SignalFilterBankParams s = new SignalFilterBankParams();
            s.NumChannels = channels;
            return s;
        }

        SignalSquareRootParams PrepareSquareRoot(int op)
        {
            int input = OperatorInput(op, 0), scale = OperatorInput(op, 1), output = OperatorOutput(op);
            RequireType(op, input, DataType.UInt64, 1, "input");
            RequireType(op, scale, DataType.Int32, -1, "scale bits");
            RequireType(op, output, DataType.UInt32, 1, "output");
            if (TensorElements(scale) != 1) throw Op(op, -1, "scale bits " + ShapeText(scale) + " must be a scalar");
            RequireSameCount(op, input, output);
            SignalSquareRootParams s = new SignalSquareRootParams();
            s.Count = TensorElements(output);
            return s;
        }

        SignalSpectralSubtractionParams PrepareSpectralSubtraction(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op, 0), noise = OperatorOutput(op, 1);
            RequireType(op, input, DataType.UInt32, 1, "input");
            RequireType(op, output, DataType.UInt32, 1, "output");
            RequireType(op, noise, DataType.UInt32, 1, "noise estimate");
            RequireSameCount(op, input, output);
            RequireSameCount(op, input, noise);
            if (!TensorIsVariable(noise))
                throw Op(op, -1, "noise estimate tensor " + noise + " must be a variable tensor (the operator's state)");
            RequireWordRange(op, p, 5, 0, 31, "smoothing bits");
            RequireWordRange(op, p, 6, 0, 63, "spectral subtraction bits");
            RequireWordRange(op, p, 7, 0, 1, "clamping");
            SignalSpectralSubtractionParams s = new SignalSpectralSubtractionParams();
            s.Smoothing = (uint)Word(p, 0);
            s.OneMinusSmoothing = (uint)Word(p, 1);
            s.AlternateSmoothing = (uint)Word(p, 2);
            s.AlternateOneMinusSmoothing = (uint)Word(p, 3);
            s.MinSignalRemaining = (uint)Word(p, 4);
            s.SmoothingBits = Word(p, 5);
            s.SpectralSubtractionBits = Word(p, 6);
            s.Clamping = Word(p, 7) != 0;
            s.NumChannels = TensorElements(output);
            s.NoiseStart = TensorStart(noise);
            return s;
        }

        SignalLogParams PrepareLog(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            RequireType(op, input, DataType.UInt32, 1, "input");
            RequireType(op, output, DataType.Int16, 1, "output");
            RequireSameCount(op, input, output);
            RequireWordRange(op, p, 0, 0, 31, "input correction bits");
            SignalLogParams s = new SignalLogParams();
            s.CorrectionBits = Word(p, 0);
            s.OutputScale = Word(p, 1);
            s.Count = TensorElements(output);
            return s;
        }

        /// <summary>Entries of the PCAN gain table the kernel may read: up to index 4 * 32 - 6 + 2.</summary>
        const int PcanLutEntries = 125;

        SignalPcanParams PreparePcan(int op, int p)
        {
            int input = OperatorInput(op, 0), noise = OperatorInput(op, 1), lut = OperatorInput(op, 2), output = OperatorOutput(op);
            RequireType(op, input, DataType.UInt32, 1, "input");
            RequireType(op, noise, DataType.UInt32, 1, "noise estimate");
            RequireType(op, lut, DataType.Int16, 1, "gain table");
            RequireType(op, output, DataType.UInt32, 1, "output");
            RequireSameCount(op, input, output);
            RequireSameCount(op, input, noise);
            if (TensorElements(lut) < PcanLutEntries)
                throw Op(op, -1, "gain table " + ShapeText(lut) + " has fewer than " + PcanLutEntries + " entries");
            RequireWordRange(op, p, 0, 0, 63, "SNR shift");
            SignalPcanParams s = new SignalPcanParams();
            s.SnrShift = Word(p, 0);
            s.Count = TensorElements(output);
            return s;
        }
    }
}
