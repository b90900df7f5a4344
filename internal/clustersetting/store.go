package clustersetting

import "sync"

// Store keeps each cluster's last valid Setting. A ConfigMap edited into an invalid state
// does not replace it: the cluster gets a condition naming the error, and the last good settings
// stay in force until the ConfigMap is fixed.
type Store struct {
	mu       sync.RWMutex
	settings map[string]Setting
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{settings: map[string]Setting{}} }

// Remember records s as the setting in force for cluster.
func (s *Store) Remember(cluster string, setting Setting) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[cluster] = setting
}

// Effective is the setting in force for cluster: the last valid one seen, else the defaults.
func (s *Store) Effective(cluster string) Setting {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if setting, ok := s.settings[cluster]; ok {
		return setting
	}
	return Default()
}

// Forget drops the cluster's setting (after detach).
func (s *Store) Forget(cluster string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.settings, cluster)
}
