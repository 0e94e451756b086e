namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SIGNAL_RFFT int16 (TFLM signal/src/rfft_int16.cc over kiss_fft v130 with FIXED_POINT 16): each
    /// frame is zero-padded to FftLength, read as Half complex values, transformed by a decimation-in-time
    /// complex FFT of size Half (radix 4 and 2 stages, each butterfly first dividing its inputs by the
    /// radix with rounding so nothing overflows), and split into FftLength / 2 + 1 bins of the real
    /// spectrum. Fixed-point rules (kiss_fft's): a product of int16s is rounded with (x + 2^14) &gt;&gt; 15,
    /// complex sums and differences keep the low 16 bits, the real split halves with an arithmetic shift.
    /// Inputs: frames (int16) and the packer's twiddle table, int16 (re, im) pairs floor(0.5 + 32767 * cos, sin):
    /// the complex FFT's e^(-2 pi i k / Half) for the k the butterflies read (k &lt; 3 Half / 4 with radix 4),
    /// then, from <see cref="SignalRfftParams.SplitStart"/>, the real split's e^(-i pi ((k + 1) / Half + 1/2)), k &lt; Half / 2.
    /// </summary>
    public static class SignalRfft
    {
        public static void Eval(SignalRfftParams p, byte[] input, int inputStart, byte[] twiddles, int twiddleStart,
            byte[] output, int outputStart)
        {
            int half = p.Half;
            int splitStart = twiddleStart + p.SplitStart;
            for (int f = 0; f < p.Frames; f++)
            {
                int inAt = inputStart + 2 * f * p.InputLength;
                int outAt = outputStart + 4 * f * (half + 1);
                // The complex FFT of the zero-padded frame into the output frame's first Half bins
                // (kiss_fft's tmpbuf), then the real split in place: bins k and Half - k are read before
                // either is written, and bin Half lies past the complex FFT's output.
                Work(p, input, inAt, output, outAt, 0, 0, 1, 0, twiddles, twiddleStart);

                int dcr = Half(ElementBytes.ReadInt16(output, outAt)), dci = Half(ElementBytes.ReadInt16(output, outAt + 2));
                ElementBytes.WriteInt16(output, outAt, dcr + dci);
                ElementBytes.WriteInt16(output, outAt + 2, 0);
                ElementBytes.WriteInt16(output, outAt + 4 * half, dcr - dci);
                ElementBytes.WriteInt16(output, outAt + 4 * half + 2, 0);
                for (int k = 1; k <= half / 2; k++)
                {
                    int at = outAt + 4 * k, nat = outAt + 4 * (half - k);
                    int pkr = Half(ElementBytes.ReadInt16(output, at)), pki = Half(ElementBytes.ReadInt16(output, at + 2));
                    int nkr = Half(ElementBytes.ReadInt16(output, nat)), nki = Half(-ElementBytes.ReadInt16(output, nat + 2));
                    short f1r = (short)(pkr + nkr), f1i = (short)(pki + nki);
                    short f2r = (short)(pkr - nkr), f2i = (short)(pki - nki);
                    int sAt = splitStart + 4 * (k - 1);
                    int wr = ElementBytes.ReadInt16(twiddles, sAt), wi = ElementBytes.ReadInt16(twiddles, sAt + 2);
                    short twr = Round(unchecked(f2r * wr - f2i * wi)), twi = Round(unchecked(f2r * wi + f2i * wr));
                    ElementBytes.WriteInt16(output, at, (f1r + twr) >> 1);
                    ElementBytes.WriteInt16(output, at + 2, (f1i + twi) >> 1);
                    ElementBytes.WriteInt16(output, nat, (f1r - twr) >> 1);
                    ElementBytes.WriteInt16(output, nat + 2, (twi - f1i) >> 1);
                }
            }
        }

        /// <summary>
        /// kiss_fft's kf_factor for a complex FFT of size n restricted to what this kernel implements: radix 4
        /// while 4 divides, then radix 2, as (radix, remaining length) pairs; null when another radix is needed.
        /// </summary>
        public static int[] Factors(int n)
        {
            int stages = 0;
            for (int m = n; m > 1; stages++)
            {
                if (m % 4 == 0) m /= 4;
                else if (m % 2 == 0) m /= 2;
                else return null;
            }
            int[] f = new int[2 * stages];
            int k = 0;
            for (int m = n; m > 1; k += 2)
            {
                int r = m % 4 == 0 ? 4 : 2;
                m /= r;
                f[k] = r;
                f[k + 1] = m;
            }
            return f;
        }

        /// <summary>
        /// Number of complex-FFT twiddles the butterflies read: a stage of radix r, sub-length m and twiddle
        /// stride s (the product of the earlier radices) reads indices up to (r - 1)(m - 1)s.
        /// </summary>
        public static int TwiddleCount(int[] factors)
        {
            int max = 0, stride = 1;
            for (int k = 0; k < factors.Length; k += 2)
            {
                int last = (factors[k] - 1) * (factors[k + 1] - 1) * stride;
                if (last > max) max = last;
                stride *= factors[k];
            }
            return max + 1;
        }

        /// <summary>kiss_fft's sround: a Q15 product rounded to int16 (low 16 bits kept).</summary>
        static short Round(int product) { return unchecked((short)((product + (1 << 14)) >> 15)); }

        /// <summary>C_FIXDIV(x, 2): x * (32767 / 2) rounded; x is first truncated to int16 like kiss_fft's scalar.</summary>
        static short Half(int v) { return Round((short)v * 16383); }

        /// <summary>C_FIXDIV(x, 4).</summary>
        static short Quarter(int v) { return Round(v * 8191); }

        static int Re(byte[] b, int at, int k) { return ElementBytes.ReadInt16(b, at + 4 * k); }
        static int Im(byte[] b, int at, int k) { return ElementBytes.ReadInt16(b, at + 4 * k + 2); }

        static void Set(byte[] b, int at, int k, int re, int im)
        {
            ElementBytes.WriteInt16(b, at + 4 * k, re);
            ElementBytes.WriteInt16(b, at + 4 * k + 2, im);
        }

        /// <summary>
        /// kiss_fft's kf_work: complex values [o, o + r*m) of the FFT (at byte <paramref name="outAt"/> of
        /// <paramref name="x"/>) for stage <paramref name="factor"/>, from the frame's complex values i, i + stride, ...
        /// (samples past InputLength are the zero padding), recursively, then that stage's butterflies.
        /// </summary>
        static void Work(SignalRfftParams p, byte[] frame, int inAt, byte[] x, int outAt, int o, int i, int stride, int factor,
            byte[] tw, int twStart)
        {
            int radix = p.Factors[factor], m = p.Factors[factor + 1];
            if (m == 1)
            {
                for (int k = 0; k < radix; k++)
                {
                    int re = 2 * i < p.InputLength ? ElementBytes.ReadInt16(frame, inAt + 4 * i) : 0;
                    int im = 2 * i + 1 < p.InputLength ? ElementBytes.ReadInt16(frame, inAt + 4 * i + 2) : 0;
                    Set(x, outAt, o + k, re, im);
                    i += stride;
                }
            }
            else
            {
                for (int k = 0; k < radix; k++)
                {
                    Work(p, frame, inAt, x, outAt, o + k * m, i, stride * radix, factor + 2, tw, twStart);
                    i += stride;
                }
            }
            if (radix == 4) Butterfly4(x, outAt, o, stride, m, tw, twStart);
            else Butterfly2(x, outAt, o, stride, m, tw, twStart);
        }

        static void Butterfly2(byte[] x, int at, int o, int stride, int m, byte[] tw, int twStart)
        {
            for (int k = 0; k < m; k++)
            {
                int a = o + k, b = o + k + m;
                short ar = Round(Re(x, at, a) * 16383), ai = Round(Im(x, at, a) * 16383);
                short br = Round(Re(x, at, b) * 16383), bi = Round(Im(x, at, b) * 16383);
                int t = twStart + 4 * k * stride;
                int wr = ElementBytes.ReadInt16(tw, t), wi = ElementBytes.ReadInt16(tw, t + 2);
                short tr = Round(unchecked(br * wr - bi * wi)), ti = Round(unchecked(br * wi + bi * wr));
                Set(x, at, b, ar - tr, ai - ti);
                Set(x, at, a, ar + tr, ai + ti);
            }
        }

        static void Butterfly4(byte[] x, int at, int o, int stride, int m, byte[] tw, int twStart)
        {
            for (int k = 0; k < m; k++)
            {
                int a0 = o + k, a1 = a0 + m, a2 = a0 + 2 * m, a3 = a0 + 3 * m;
                short f0r = Quarter(Re(x, at, a0)), f0i = Quarter(Im(x, at, a0));
                short f1r = Quarter(Re(x, at, a1)), f1i = Quarter(Im(x, at, a1));
                short f2r = Quarter(Re(x, at, a2)), f2i = Quarter(Im(x, at, a2));
                short f3r = Quarter(Re(x, at, a3)), f3i = Quarter(Im(x, at, a3));
                int t1 = twStart + 4 * k * stride, t2 = twStart + 8 * k * stride, t3 = twStart + 12 * k * stride;
                int w1r = ElementBytes.ReadInt16(tw, t1), w1i = ElementBytes.ReadInt16(tw, t1 + 2);
                int w2r = ElementBytes.ReadInt16(tw, t2), w2i = ElementBytes.ReadInt16(tw, t2 + 2);
                int w3r = ElementBytes.ReadInt16(tw, t3), w3i = ElementBytes.ReadInt16(tw, t3 + 2);
                short s0r = Round(unchecked(f1r * w1r - f1i * w1i)), s0i = Round(unchecked(f1r * w1i + f1i * w1r));
                short s1r = Round(unchecked(f2r * w2r - f2i * w2i)), s1i = Round(unchecked(f2r * w2i + f2i * w2r));
                short s2r = Round(unchecked(f3r * w3r - f3i * w3i)), s2i = Round(unchecked(f3r * w3i + f3i * w3r));
                short s5r = (short)(f0r - s1r), s5i = (short)(f0i - s1i);
                f0r = (short)(f0r + s1r);
                f0i = (short)(f0i + s1i);
                short s3r = (short)(s0r + s2r), s3i = (short)(s0i + s2i);
                short s4r = (short)(s0r - s2r), s4i = (short)(s0i - s2i);
                Set(x, at, a2, f0r - s3r, f0i - s3i);
                Set(x, at, a0, f0r + s3r, f0i + s3i);
                Set(x, at, a1, s5r + s4i, s5i - s4r);
                Set(x, at, a3, s5r - s4i, s5i + s4r);
            }
        }
    }
}
