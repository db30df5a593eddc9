package lifecycle

// The built-in table: what the tree cannot tell rivet. Each entry says
// why it is here. Everything else is mined, so a tree that defines these
// functions differently still wins (a built-in fact is trusted less than
// any mined one).

// builtinBorrowed are functions returning a pointer the caller does not
// own. Their bodies only read a field, which facts cannot tell from a
// getter that takes a reference.
var builtinBorrowed = map[string]string{
	"dev_get_drvdata":          "returns the driver data stored with dev_set_drvdata; the driver owns it",
	"platform_get_drvdata":     "returns the driver data stored with platform_set_drvdata; the driver owns it",
	"pci_get_drvdata":          "returns the driver data stored with pci_set_drvdata; the driver owns it",
	"i2c_get_clientdata":       "returns the driver data stored with i2c_set_clientdata; the driver owns it",
	"spi_get_drvdata":          "returns the driver data stored with spi_set_drvdata; the driver owns it",
	"usb_get_intfdata":         "returns the driver data stored with usb_set_intfdata; the driver owns it",
	"dev_get_platdata":         "returns the board's platform data, owned by the device",
	"dev_name":                 "returns the device's name, owned by the device",
	"dev_fwnode":               "returns the device's firmware node without taking a reference",
	"get_current":              "returns the running task (`current`), which the caller never puts",
	"device_get_match_data":    "returns static match data from the driver's id table",
	"of_device_get_match_data": "returns static match data from the driver's of_device_id table",
}

// builtinSleeping are functions that sleep by definition: scheduler entry
// points and blocking waits whose bodies are in assembly, behind
// configuration, or deeper than three calls.
var builtinSleeping = map[string]string{
	"schedule":                    "enters the scheduler",
	"schedule_timeout":            "enters the scheduler",
	"msleep":                      "sleeps for a time",
	"msleep_interruptible":        "sleeps for a time",
	"ssleep":                      "sleeps for a time",
	"usleep_range":                "sleeps for a time",
	"fsleep":                      "sleeps for a time (may busy-wait for short delays, may not: assume it sleeps)",
	"wait_for_completion":         "waits for another context",
	"wait_for_completion_timeout": "waits for another context",
	"synchronize_rcu":             "waits for an RCU grace period",
	"synchronize_srcu":            "waits for an SRCU grace period",
	"rcu_barrier":                 "waits for pending RCU callbacks",
	"flush_work":                  "waits for a work item",
	"flush_workqueue":             "waits for a workqueue",
	"cancel_work_sync":            "waits for a work item",
	"cancel_delayed_work_sync":    "waits for a work item",
	"kthread_stop":                "waits for a kthread to exit",
	"mutex_lock":                  "takes a sleeping lock",
	"mutex_lock_interruptible":    "takes a sleeping lock",
	"mutex_lock_killable":         "takes a sleeping lock",
	"might_sleep":                 "declares that the caller may sleep",
	"might_fault":                 "touches user memory, which may fault and sleep",
	"copy_from_user":              "touches user memory, which may fault and sleep",
	"copy_to_user":                "touches user memory, which may fault and sleep",
}

// builtinAtomic are functions that enter or leave atomic context through
// macros and inline assembly the body facts cannot see: true enters,
// false leaves. The lock-like families (naming.go) pair them.
var builtinAtomic = map[string]bool{
	"local_irq_disable": true, "local_irq_enable": false,
	"local_irq_save": true, "local_irq_restore": false,
	"local_bh_disable": true, "local_bh_enable": false,
	"preempt_disable": true, "preempt_enable": false, "preempt_enable_no_resched": false,
	"rcu_read_lock": true, "rcu_read_unlock": false,
	"rcu_read_lock_bh": true, "rcu_read_unlock_bh": false,
	"rcu_read_lock_sched": true, "rcu_read_unlock_sched": false,
	"get_cpu": true, "put_cpu": false,
	"pagefault_disable": true, "pagefault_enable": false,
	"kmap_atomic": true, "kunmap_atomic": false,
}

// builtinAtomicWhy is the reason shown for builtinAtomic entries.
const builtinAtomicWhy = "disables preemption or interrupts in macros and inline assembly"

// builtinReleaseArg are releases whose released argument is not the first
// and whose prototype rivet may not have parsed.
var builtinReleaseArg = map[string]int{
	"devm_kfree":        1,
	"kmem_cache_free":   1,
	"dma_free_coherent": 2,
	"devm_free_irq":     2,
}

// blockingGFP are the allocation flags that include __GFP_DIRECT_RECLAIM:
// an allocation passing one may sleep (include/linux/gfp_types.h).
var blockingGFP = map[string]bool{
	"GFP_KERNEL": true, "GFP_KERNEL_ACCOUNT": true, "GFP_USER": true, "GFP_NOIO": true,
	"GFP_NOFS": true, "GFP_HIGHUSER": true, "GFP_HIGHUSER_MOVABLE": true, "__GFP_DIRECT_RECLAIM": true,
}

// builtinTransfers are the kernel crate's ownership moves, used when the
// tree does not define them (a driver tree without rust/kernel).
var builtinTransfers = []Transfer{
	{Type: "ARef", Fn: "from_raw", Takes: true},
	{Type: "ARef", Fn: "into_raw"},
	{Type: "KBox", Fn: "from_raw", Takes: true},
	{Type: "KBox", Fn: "into_raw"},
	{Type: "Box", Fn: "from_raw", Takes: true},
	{Type: "Box", Fn: "into_raw"},
	{Type: "Arc", Fn: "from_raw", Takes: true},
	{Type: "Arc", Fn: "into_raw"},
	{Fn: "from_foreign", Takes: true},
	{Fn: "into_foreign"},
}

const builtinTransferWhy = "the kernel crate's ownership API (ARef, KBox, Arc, ForeignOwnable)"

// mineBuiltins adds the table's borrowed, sleeping and atomic facts.
func (b *builder) mineBuiltins() {
	for name, why := range builtinBorrowed {
		c := b.claim(name)
		c.borrowed = append(c.borrowed, Source{Kind: Builtin, Desc: why})
	}
	for name, why := range builtinSleeping {
		c := b.claim(name)
		c.sleeps = append(c.sleeps, sleepClaim{src: Source{Kind: Builtin, Desc: why}, what: why})
	}
	for name, enters := range builtinAtomic {
		c := b.claim(name)
		src := Source{Kind: Builtin, Desc: builtinAtomicWhy}
		if enters {
			c.enters = append(c.enters, src)
		} else {
			c.leaves = append(c.leaves, src)
		}
	}
}
