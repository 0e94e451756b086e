using System;
using System.Linq;
using Mote.Packer.Graph;
using Mote.Runtime;
using Mote.Runtime.Format;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// Format 1.3's audio operators in hand-built graphs: two-output operators (§6.2) in the blob, the
    /// planner and the interpreter; the noise estimate as a variable tensor; and load-time checks that
    /// keep every kernel index in bounds.
    /// </summary>
    public class AudioOperatorBlobTests
    {

        static void FixCrc(byte[] b) => LittleEndian.WriteInt32(b, BlobFormat.CrcFieldOffset,
            (int)Crc32.Compute(b, BlobFormat.CrcStart, LittleEndian.ReadInt32(b, BlobFormat.OffTotalLength) - BlobFormat.CrcStart));

        /// <summary>Plans and writes <paramref name="g"/> without Packer.Finish's self-check, then loads it (the loader's verdict).</summary>
        static Model Load(PackGraph g)
        {
            Mote.Packer.Planning.ArenaPlanner.Plan(g);
            return Model.Load(Mote.Packer.Blob.BlobWriter.Write(g));
        }

        static byte[] I16(params short[] v)
        {
            var b = new byte[2 * v.Length];
            for (int i = 0; i < v.Length; i++) { b[2 * i] = (byte)v[i]; b[2 * i + 1] = (byte)(v[i] >> 8); }
            return b;
        }

        /// <summary>input int16[8] → SIGNAL_FFT_AUTO_SCALE → (scaled int16[8], scale int32 scalar) → CAST(scale) → int8 output.</summary>
        static PackGraph AutoScaleGraph()
        {
            var g = new PackGraph { SourceName = "auto-scale" };
            var input = g.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = new[] { 8 }, Name = "input" });
            var scaled = g.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = new[] { 8 }, Name = "scaled" });
            var scale = g.AddTensor(new PackTensor { DataType = DataType.Int32, Shape = Array.Empty<int>(), Name = "scale" });
            var scale8 = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1 }, Name = "scale8" });
            g.Inputs = new[] { input.Index };
            g.Outputs = new[] { scaled.Index, scale8.Index };
            g.Operators.Add(new PackOperator { Code = OpCode.SignalFftAutoScale, Inputs = new[] { input.Index }, Outputs = new[] { scaled.Index, scale.Index } });
            g.Operators.Add(new PackOperator { Code = OpCode.Cast, Inputs = new[] { scale.Index }, Outputs = new[] { scale8.Index } });
            return g;
        }

        [Fact]
        public void FftAutoScale_TwoOutputs_WrittenPlannedAndRun()
        {
            var blob = Packer.Finish(AutoScaleGraph(), 0).Blob;
            var m = Model.Load(blob);
            var op = m.GetOperator(0);
            Assert.Equal(2, op.Outputs.Length);
            var a = m.GetTensor(op.Outputs[0]);
            var s = m.GetTensor(op.Outputs[1]);
            Assert.True(a.Start + a.Bytes <= s.Start || s.Start + s.Bytes <= a.Start, "the two outputs of one operator overlap");

            var it = new Interpreter(m);
            // max |x| = 100 has 7 bits: scale 15 - 7 = 8, every sample times 256.
            it.GetInput(0).CopyFrom(I16(1, -3, 100, -100, 0, 7, -1, 64), 0);
            it.Invoke();
            var scaled = new byte[16];
            it.GetOutput(0).CopyTo(scaled, 0);
            Assert.Equal(I16(256, -768, 25600, -25600, 0, 1792, -256, 16384), scaled);
            Assert.Equal(8, it.GetOutput(1).GetInt8(0));

            // TFLM's running maximum is an int16: |-32768| stays -32768 (32 bits as uint32, no scaling) ...
            it.GetInput(0).CopyFrom(I16(1, 0, 0, 0, 0, 0, 0, -32768), 0);
            it.Invoke();
            Assert.Equal(0, it.GetOutput(1).GetInt8(0));
            // ... and any later positive sample replaces it (1: one bit, scale 14).
            it.GetInput(0).CopyFrom(I16(-32768, 1, 0, 0, 0, 0, 0, 0), 0);
            it.Invoke();
            Assert.Equal(14, it.GetOutput(1).GetInt8(0));
        }

        [Fact]
        public void Load_OutputCountOtherThanTheOpsOwn_IsRejected()
        {
            var blob = Packer.Finish(AutoScaleGraph(), 0).Blob;
            int rec = Section(blob, BlobFormat.SectionOperators);
            var b = (byte[])blob.Clone();
            b[rec + 3] = 1;
            FixCrc(b);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains("expected 1 and 2", e.Message);

            b = (byte[])blob.Clone();
            int cast = rec + BlobFormat.OperatorRecordSize;
            b[cast + 3] = 2; // CAST has one output
            FixCrc(b);
            e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains("expected 1 and 1", e.Message);
        }

        [Fact]
        public void Load_SameTensorAsBothOutputs_IsRejected()
        {
            var blob = Packer.Finish(AutoScaleGraph(), 0).Blob;
            int rec = Section(blob, BlobFormat.SectionOperators);
            int first = LittleEndian.ReadInt32(blob, rec + 4);
            int indices = Section(blob, BlobFormat.SectionIndices);
            var b = (byte[])blob.Clone();
            // output 1 := output 0 (dtype differs too; either check rejects it, never a kernel)
            b[indices + 2 * (first + 2)] = b[indices + 2 * (first + 1)];
            b[indices + 2 * (first + 2) + 1] = b[indices + 2 * (first + 1) + 1];
            FixCrc(b);
            Assert.Throws<MoteFormatException>(() => Model.Load(b));
        }

        /// <summary>input uint32[4] → SPECTRAL_SUBTRACTION → (output, noise estimate) with the noise estimate variable or not.</summary>
        static PackGraph SpectralSubtractionGraph(bool variable)
        {
            var g = new PackGraph { SourceName = "spectral-subtraction" };
            var input = g.AddTensor(new PackTensor { DataType = DataType.UInt32, Shape = new[] { 4 }, Name = "input" });
            var output = g.AddTensor(new PackTensor { DataType = DataType.UInt32, Shape = new[] { 4 }, Name = "output" });
            var noise = g.AddTensor(new PackTensor { DataType = DataType.UInt32, Shape = new[] { 4 }, Name = "noise", IsVariable = variable });
            g.Inputs = new[] { input.Index };
            g.Outputs = new[] { output.Index };
            // smoothing 0.25 (4096 of 2^14), alternate 0.5; min remaining 0; smoothing bits 0; 14 bits; no clamping.
            g.Operators.Add(new PackOperator
            {
                Code = OpCode.SignalFilterBankSpectralSubtraction, Inputs = new[] { input.Index }, Outputs = new[] { output.Index, noise.Index },
                Params = new[] { 4096, 12288, 8192, 8192, 0, 0, 14, 0 },
            });
            return g;
        }

        static uint[] U32(TensorView v)
        {
            var r = new uint[v.Bytes / 4];
            for (int i = 0; i < r.Length; i++) r[i] = BitConverter.ToUInt32(v.Buffer, v.Start + 4 * i);
            return r;
        }

        [Fact]
        public void SpectralSubtraction_NoiseEstimateIsState_KeptAcrossInvokes_ClearedByResetState()
        {
            var m = Model.Load(Packer.Finish(SpectralSubtractionGraph(true), 0).Blob);
            var it = new Interpreter(m);
            var input = new byte[16];
            for (int i = 0; i < 4; i++) BitConverter.GetBytes(1000u).CopyTo(input, 4 * i);
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var noise = it.GetTensor(m.GetOperator(0).Outputs[1]);
            // n = (1000 * s + 0) >> 14: 250 on even channels (s = 1/4), 500 on odd ones (s = 1/2); output = 1000 - n.
            Assert.Equal(new uint[] { 250, 500, 250, 500 }, U32(noise));
            Assert.Equal(new uint[] { 750, 500, 750, 500 }, U32(it.GetOutput(0)));
            it.Invoke();
            // n = (1000 * s + n * (1 - s)) >> 14: 250 + 187 = 437 and 500 + 250 = 750.
            Assert.Equal(new uint[] { 437, 750, 437, 750 }, U32(noise));
            it.ResetState();
            Assert.Equal(new uint[] { 0, 0, 0, 0 }, U32(noise));
            it.Invoke();
            Assert.Equal(new uint[] { 250, 500, 250, 500 }, U32(noise));
        }

        [Fact]
        public void SpectralSubtraction_NoiseEstimateNotVariable_IsRejectedAtLoad()
        {
            var e = Assert.Throws<MoteFormatException>(() => Load(SpectralSubtractionGraph(false)));
            Assert.Contains("variable", e.Message);
        }

        [Fact]
        public void Energy_BinRangeOutsideTheTensors_IsRejectedAtLoad()
        {
            PackGraph G(int start, int end)
            {
                var g = new PackGraph { SourceName = "energy" };
                var input = g.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = new[] { 10 }, Name = "spectrum" });
                var output = g.AddTensor(new PackTensor { DataType = DataType.UInt32, Shape = new[] { 5 }, Name = "energy" });
                g.Inputs = new[] { input.Index };
                g.Outputs = new[] { output.Index };
                g.Operators.Add(new PackOperator { Code = OpCode.SignalEnergy, Inputs = new[] { input.Index }, Outputs = new[] { output.Index }, Params = new[] { start, end } });
                return g;
            }
            var it = new Interpreter(Model.Load(Packer.Finish(G(1, 4), 0).Blob));
            it.GetInput(0).CopyFrom(I16(9, 9, 3, 4, -5, 12, 0, 0, 1, 1), 0);
            it.Invoke();
            Assert.Equal(new uint[] { 0, 25, 169, 0, 0 }, U32(it.GetOutput(0)));
            foreach (var (s, e) in new[] { (-1, 3), (3, 2), (0, 6), (2, 7) })
                Assert.Throws<MoteFormatException>(() => Load(G(s, e)));
        }

        [Fact]
        public void FilterBank_ChannelTablesOutsideTheirArrays_AreRejectedAtLoad()
        {
            PackGraph G(short widthOfChannel2)
            {
                var g = new PackGraph { SourceName = "filter-bank" };
                var input = g.AddTensor(new PackTensor { DataType = DataType.UInt32, Shape = new[] { 6 }, Name = "energy" });
                PackTensor C(string name, params short[] v) => g.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = new[] { v.Length }, Data = I16(v), Name = name });
                var w = C("weights", 4096, 2048, 4096, 1024);
                var u = C("unweights", 0, 2048, 0, 3072);
                var fs = C("freq_starts", 0, 1, 3);
                var ws = C("weight_starts", 0, 1, 2);
                var width = C("widths", 1, 1, widthOfChannel2);
                var output = g.AddTensor(new PackTensor { DataType = DataType.UInt64, Shape = new[] { 2 }, Name = "channels" });
                g.Inputs = new[] { input.Index };
                g.Outputs = new[] { output.Index };
                g.Operators.Add(new PackOperator { Code = OpCode.SignalFilterBank, Inputs = new[] { input.Index, w.Index, u.Index, fs.Index, ws.Index, width.Index },
                    Outputs = new[] { output.Index }, Params = new[] { 2 } });
                return g;
            }
            var it = new Interpreter(Model.Load(Packer.Finish(G(2), 0).Blob));
            var energy = new byte[24];
            for (int i = 0; i < 6; i++) BitConverter.GetBytes((uint)(i + 1) * 10).CopyTo(energy, 4 * i);
            it.GetInput(0).CopyFrom(energy, 0);
            it.Invoke();
            var o = it.GetOutput(0);
            // channel 0: bin 0 (10): weighted 40960, unweighted 0. channel 1: bin 1 (20): 2048*20 + 0 = 40960, unweighted 40960.
            // channel 2: bins 3, 4 (40, 50) with weights 4096, 1024: 163840 + 51200 + channel 1's 40960 = 256000.
            Assert.Equal(40960UL, BitConverter.ToUInt64(o.Buffer, o.Start));
            Assert.Equal(256000UL, BitConverter.ToUInt64(o.Buffer, o.Start + 8));
            Assert.Throws<MoteFormatException>(() => Load(G(3))); // bins 3..5 fine, weights 2..4 past 4
        }
    }
}
