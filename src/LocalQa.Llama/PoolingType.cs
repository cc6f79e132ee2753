namespace LocalQa.Llama;

public enum PoolingType { Unspecified = -1, None = 0, Mean = 1, Cls = 2, Last = 3 }
