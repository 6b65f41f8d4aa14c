/**
 * A base class whose instances carry a contract record's fields as readonly properties, so SDK
 * objects (`Export`, `Job`, `Directory`) expose exactly the contract's shape without restating it.
 */
export function contractRecord<T extends object>(): new (record: T) => Readonly<T> {
  // The class exists only to be extended: its constructor copies the record onto the subclass instance.
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class
  return class {
    constructor(record: T) {
      Object.assign(this, record);
    }
  } as new (record: T) => Readonly<T>;
}
