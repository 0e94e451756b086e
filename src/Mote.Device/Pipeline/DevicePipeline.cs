using System;
using Mote.Runtime;

namespace Mote.Device.Pipeline
{
    /// <summary>
    /// The device loop: sensor → ring → trigger (window) → quantize into input 0 → Invoke →
    /// postprocess → actions (LED pin, result sink). All buffers are allocated in the
    /// constructor; <see cref="Poll"/> allocates nothing.
    /// </summary>
    public sealed class DevicePipeline
    {
        readonly ISampleSource source;
        readonly IWindowTrigger trigger;
        readonly SampleRing ring;
        readonly float[] readBuffer, window;
        readonly int windowSize;
        readonly InferenceResult result = new InferenceResult();
        Interpreter interpreter;
        TensorView input, output;
        bool ended;

        /// <summary>Subtract the window mean before quantizing (the ECG sample's normalization).</summary>
        public bool SubtractMean;
        /// <summary>LED: driven high while the debounced class is <see cref="LedClass"/>.</summary>
        public IOutputPin Led;
        public int LedClass = 1;
        public IResultSink Sink;
        public readonly Postprocessor Post = new Postprocessor();
        /// <summary>Optional microsecond clock for <see cref="InferenceResult.InvokeMicros"/>.</summary>
        public IClock Clock;

        public DevicePipeline(Interpreter interpreter, ISampleSource source, IWindowTrigger trigger, int ringCapacity)
        {
            if (source == null) throw new ArgumentNullException("source");
            if (trigger == null) throw new ArgumentNullException("trigger");
            this.source = source;
            this.trigger = trigger;
            readBuffer = new float[64];
            SetInterpreter(interpreter);
            windowSize = input.Bytes;
            if (ringCapacity < windowSize) ringCapacity = windowSize;
            ring = new SampleRing(ringCapacity);
            window = new float[windowSize];
            result.Outputs = new byte[256];
        }

        public SampleRing Ring { get { return ring; } }
        public Interpreter Interpreter { get { return interpreter; } }
        public int WindowSize { get { return windowSize; } }
        public int WindowsClassified { get; private set; }
        public bool Ended { get { return ended; } }

        /// <summary>Swaps the model (e.g. after an upload); the input size must stay the same.</summary>
        public void SetInterpreter(Interpreter value)
        {
            CheckCompatible(value);
            interpreter = value;
            input = value.GetInput(0);
            output = value.GetOutput(0);
        }

        /// <summary>Throws unless <paramref name="value"/> can run in this pipeline (int8 input of the window size, at most 256 outputs).</summary>
        public void CheckCompatible(Interpreter value)
        {
            if (value == null) throw new ArgumentNullException("interpreter");
            TensorView i = value.GetInput(0), o = value.GetOutput(0);
            if (i.Info.DataType != Mote.Runtime.Format.DataType.Int8)
                throw new ArgumentException("input 0 is not an int8 tensor");
            if (window != null && i.Bytes != windowSize)
                throw new ArgumentException("the new model's input holds " + i.Bytes + " samples, the pipeline's windows " + windowSize);
            if (o.Bytes > 256) throw new ArgumentException("output 0 has more than 256 elements");
        }

        /// <summary>
        /// Reads up to one buffer (64 samples) of what the source has now and classifies every
        /// window that completes; bounded work per call, so a board's main loop can interleave
        /// the serial link. Returns the number of windows classified in this call.
        /// </summary>
        public int Poll()
        {
            if (ended) return 0;
            int n = source.Read(readBuffer, 0, readBuffer.Length);
            if (n < 0) { ended = true; return 0; }
            int classified = 0;
            for (int i = 0; i < n; i++)
            {
                ring.Append(readBuffer[i]);
                long start = trigger.OnSample(ring);
                if (start >= 0)
                {
                    Classify(start);
                    classified++;
                }
            }
            return classified;
        }

        /// <summary>Classifies the window starting at absolute sample <paramref name="start"/> (still in the ring).</summary>
        public void Classify(long start)
        {
            ring.CopyTo(start, windowSize, window, 0);
            ClassifyWindow(window, 0, start);
        }

        /// <summary>Classifies a window given directly (host validation frames go through here).</summary>
        public InferenceResult ClassifyWindow(float[] samples, int offset, long start)
        {
            InputQuantizer.Fill(samples, offset, windowSize, SubtractMean, input);
            long t0 = Clock != null ? Clock.Micros() : 0;
            interpreter.Invoke();
            long t1 = Clock != null ? Clock.Micros() : 0;
            int score, margin;
            int cls = Postprocessor.Argmax(output.Buffer, output.Start, output.Bytes, out score, out margin);
            Post.Update(cls, margin);
            result.Sequence = WindowsClassified++;
            result.WindowStart = start;
            result.Class = cls;
            result.Score = score;
            result.Margin = margin;
            result.Stable = Post.Stable;
            result.InvokeMicros = (int)(t1 - t0);
            result.OutputCount = output.Bytes;
            Array.Copy(output.Buffer, output.Start, result.Outputs, 0, output.Bytes);
            if (Led != null) Led.Write(Post.Stable == LedClass);
            if (Sink != null) Sink.OnResult(result);
            return result;
        }
    }

    /// <summary>A monotonic microsecond clock (Stopwatch on .NET, the system timer on a board).</summary>
    public interface IClock
    {
        long Micros();
    }
}
