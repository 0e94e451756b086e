namespace Mote.Device.Pipeline
{
    /// <summary>
    /// A source of scalar sensor samples (one channel). <see cref="Read"/> copies up to
    /// <c>count</c> samples that are available now and never blocks; it returns how many it
    /// copied (0 when none is ready yet) or -1 when the source has ended. Implementations must
    /// not allocate per call.
    /// </summary>
    public interface ISampleSource
    {
        int Read(float[] buffer, int offset, int count);
    }

    /// <summary>A digital output (an LED). Adapters wrap a board's GPIO controller.</summary>
    public interface IOutputPin
    {
        void Write(bool high);
    }

    /// <summary>Receives every classified window (e.g. the serial link's result frames).</summary>
    public interface IResultSink
    {
        void OnResult(InferenceResult result);
    }

    /// <summary>
    /// Decides when a window is complete. Called once per appended sample with the total number
    /// of samples seen so far; returns the absolute index of the first sample of the window to
    /// classify now, or -1.
    /// </summary>
    public interface IWindowTrigger
    {
        long OnSample(SampleRing ring);
    }
}
