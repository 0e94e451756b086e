namespace Mote.Runtime.Kernels
{
    // Prepared parameters of format 1.3's CAST, DIV, MINIMUM, MAXIMUM, the int32 variants of ADD
    // and MUL, and the audio front end's signal operators (TFLM signal library). Filled and
    // checked by Model.Load; Eval only reads them (the RFFT's work arrays are its scratch).

    /// <summary>CAST between integer types: every element converted like C's static_cast (two's-complement wrap).</summary>
    public sealed class CastParams
    {
        /// <summary><see cref="Format.DataType"/> codes of the input and the output.</summary>
        public int InputType, OutputType;
        public int Count;
    }

    /// <summary>
    /// int32 ADD, MUL, DIV, MINIMUM and MAXIMUM with NumPy broadcasting over up to 4 dimensions
    /// (TFLM's reference_ops Add/Mul/Div/Maximum/Minimum and their Broadcast*4DSlow forms).
    /// </summary>
    public sealed class BinaryInt32Params
    {
        public const int OpAdd = 0, OpMul = 1, OpDiv = 2, OpMinimum = 3, OpMaximum = 4;
        public int Operation;
        public int ActivationMin, ActivationMax;
        public int FlatSize;
        public bool Broadcast;
        /// <summary>Shapes extended to 4-D; null when <see cref="Broadcast"/> is false.</summary>
        public int[] Input1Shape, Input2Shape, OutputShape;
    }

    /// <summary>SIGNAL_WINDOW: int16 frames times an int16 window, arithmetic shift right, saturated to int16.</summary>
    public sealed class SignalWindowParams
    {
        public int Shift;
        public int InputSize, WindowSize;
    }

    /// <summary>SIGNAL_FFT_AUTO_SCALE: int16 input scaled up by the largest power of two that keeps it in int16.</summary>
    public sealed class SignalFftAutoScaleParams
    {
        public int Count;
        /// <summary>Arena offset of output 1, the int32 scalar scale-bit count.</summary>
        public int ScaleStart;
    }

    /// <summary>
    /// SIGNAL_RFFT int16 (kiss_fft's fixed-point real FFT, FIXED_POINT 16): frames of InputLength
    /// zero-padded to FftLength, half-length complex FFT with radix-4/2 butterflies, then the real split.
    /// No scratch: the complex FFT works in the output frame, the real split in place.
    /// </summary>
    public sealed class SignalRfftParams
    {
        public int FftLength, InputLength, Frames;
        /// <summary>Half the FFT length: the complex FFT's size (kiss_fftr's ncfft).</summary>
        public int Half;
        /// <summary>kiss_fft's factor list: radix p and remaining length m per stage, (p, m) pairs.</summary>
        public int[] Factors;
        /// <summary>Byte offset, inside the twiddle tensor, of the real split's twiddles (after the complex FFT's).</summary>
        public int SplitStart;
    }

    /// <summary>SIGNAL_ENERGY: |X[k]|^2 as uint32 for k in [Start, End); Mote writes 0 elsewhere.</summary>
    public sealed class SignalEnergyParams
    {
        public int Start, End, Count;
    }

    /// <summary>SIGNAL_FILTER_BANK: triangular mel filters over uint32 energies, uint64 accumulators.</summary>
    public sealed class SignalFilterBankParams
    {
        public int NumChannels;
    }

    /// <summary>SIGNAL_FILTER_BANK_SQUARE_ROOT: integer square root of uint64, shifted right by a runtime scale-bit count.</summary>
    public sealed class SignalSquareRootParams
    {
        public int Count;
    }

    /// <summary>SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION: noise estimate (state in output 1) subtracted per channel.</summary>
    public sealed class SignalSpectralSubtractionParams
    {
        public uint Smoothing, OneMinusSmoothing, AlternateSmoothing, AlternateOneMinusSmoothing, MinSignalRemaining;
        public int SmoothingBits, SpectralSubtractionBits;
        public bool Clamping;
        public int NumChannels;
        /// <summary>Arena offset of output 1, the noise estimate: a variable tensor read and updated in place.</summary>
        public int NoiseStart;
    }

    /// <summary>SIGNAL_FILTER_BANK_LOG: fixed-point natural log (TFLM's Log32 with its 128-segment table), int16 out.</summary>
    public sealed class SignalLogParams
    {
        public int CorrectionBits;
        public int OutputScale;
        public int Count;
    }

    /// <summary>SIGNAL_PCAN: per-channel automatic gain control from the noise estimate and a gain table.</summary>
    public sealed class SignalPcanParams
    {
        public int SnrShift;
        public int Count;
    }
}
